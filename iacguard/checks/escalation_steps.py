"""Whether a principal's effective permissions take one step of a privilege-escalation
path (IG014): the statements that allow its action towards its target, unless a Deny,
the permissions boundary or a condition on the target takes it away."""

from __future__ import annotations

from iacguard.checks.base import text_of
from iacguard.escalation_paths import Path, Step, Target
from iacguard.model import Policy, Principal, Scalar, Statement, Unknown
from iacguard.permissions import (
    Effective,
    Grant,
    action_matches,
    covers_action,
    is_allow,
    is_deny,
)
from iacguard.records import dataclass, field

# Condition keys through which a statement can keep an escalation step from reaching an
# arbitrary target (which policy may be attached, which boundary a new policy must
# carry, which resources by tag or account). Keys such as aws:MultiFactorAuthPresent or
# aws:SourceIp say who may act, not on what: an attacker holding the principal meets them.
_TARGET_KEYS = (
    "iam:PolicyARN",
    "iam:PermissionsBoundary",
    "iam:AssociatedResourceArn",
    "aws:ResourceTag/",
    "iam:ResourceTag/",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
)
_PASSED_TO = "iam:PassedToService"


@dataclass(slots=True)
class Found:
    """What allows one step: the grants, or the unknowns that may."""

    grants: list[Grant] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)


def allowed(effective: Effective, step: Step, path: Path) -> Found:
    """The grants that allow ``step`` towards its target; none when a Deny or the
    boundary takes it away."""
    found = Found()
    own = _own_names(effective, step.target)
    mine = _own_resources(effective, step.target)
    for grant in effective.grants:
        statement = grant.statement
        if not is_allow(statement):
            continue
        match = covers_action(statement, step.action)
        found.unknown.extend(match.unknown)
        if not match.matches:
            continue
        reach = _reaches(statement, step.target, own, mine)
        found.unknown.extend(u for u in reach if isinstance(u, Unknown))
        if True not in reach:
            continue
        restriction = _restriction(statement, step, path)
        if restriction is None:
            found.grants.append(grant)
        else:
            found.unknown.extend(restriction)
    if found.grants and (_denied(effective, step) or not _within_boundary(effective, step)):
        found.grants.clear()
    return found


def _reaches(
    statement: Statement,
    target: Target,
    own: set[str],
    mine: frozenset[tuple[str, str]] = frozenset(),
) -> list[bool | Unknown]:
    """For each resource value: can it be the target (True), or is it unknown. A value
    that names one resource of the configuration (``!GetAtt Role.Arn``) is one given
    resource: any target takes it, an own target only when it is one of ``mine``."""
    if statement.not_resources is not None or statement.resources is None:
        return [True]
    return [_reach(value, target, own, mine) for value in statement.resources]


def _reach(
    value: Scalar | Unknown, target: Target, own: set[str], mine: frozenset[tuple[str, str]]
) -> bool | Unknown:
    if isinstance(value, Scalar):
        return target.accepts(str(value.value), own)
    if value.names is None:
        return value
    return target.any or (value.location.file, value.names) in mine


def _own_resources(effective: Effective, target: Target) -> frozenset[tuple[str, str]]:
    """What an own step may target, as (scope, address): the principal, its groups or its
    attached policies, as ``target`` asks."""
    if not target.own:
        return frozenset()
    principal = effective.principal
    candidates: list[Principal | Policy] = []
    if target.type == principal.kind:
        candidates.append(principal)
    if target.type == "group":
        candidates.extend(effective.groups)
    if target.type == "policy":
        candidates.extend(effective.managed)
    return frozenset((c.scope, c.address) for c in candidates)


def _own_names(effective: Effective, target: Target) -> set[str]:
    """The names a step on the principal itself may target: its own, its groups', its
    attached policies'; ``${aws:username}`` is a user's own name."""
    if not target.own:
        return set()
    principal = effective.principal
    names: set[str] = set()
    if target.type == principal.kind:
        names.add(_name(principal))
        if principal.kind == "user":
            names.add("${aws:username}")
    if target.type == "group":
        names.update(_name(g) for g in effective.groups)
    if target.type == "policy":
        names.update(text_of(p.name, "") for p in effective.managed if isinstance(p.name, Scalar))
    return names


def _name(principal: Principal) -> str:
    return text_of(principal.name, principal.address.rsplit(".", 1)[-1])


def _restriction(statement: Statement, step: Step, path: Path) -> list[Unknown] | None:
    """None when no condition keeps the step from its target; else the unknown values
    that might (empty: a condition does)."""
    if not statement.conditions:
        return None
    from iacguard.conditions import restriction

    keys: tuple[str, ...] = _TARGET_KEYS
    if step.action == "iam:PassRole" and path.passed_to:
        keys = (*keys, _PASSED_TO)
        service = path.passed_to

        def value_ok(key: str, value: str) -> bool:
            # a value admitting the path's service does not restrict it
            return key.lower() != _PASSED_TO.lower() or not action_matches(value, service)

        found = restriction(statement.conditions, keys, value_ok)
    else:
        found = restriction(statement.conditions, keys)
    if found.restricts:
        return []
    return list(found.unresolved) or None


def _denied(effective: Effective, step: Step) -> bool:
    """An unconditional Deny of the action on every resource of the target's kind."""
    for grant in effective.grants:
        statement = grant.statement
        if (
            is_deny(statement)
            and not statement.conditions
            and statement.not_resources is None
            and covers_action(statement, step.action).matches
            and all(r is True for r in _reaches(statement, step.target, set()))
        ):
            return True
    return False


def _within_boundary(effective: Effective, step: Step) -> bool:
    if effective.boundary is None:
        return True
    allowed = any(
        is_allow(s)
        and covers_action(s, step.action).matches
        and True in _reaches(s, step.target, set())
        for s in effective.boundary
    )
    denied = any(
        is_deny(s) and not s.conditions and covers_action(s, step.action).matches
        for s in effective.boundary
    )
    return allowed and not denied
