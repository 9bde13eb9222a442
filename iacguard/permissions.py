"""Effective permissions: what each user, group, role and permission set is granted.

Built once per scan from the model (``Context.permissions``), and only when a check asks.
A principal's grants are the statements of its inline policies, of the customer managed
policies of the scan attached to it (every attachment form), and for a user those of its
groups; Terraform documents a policy uses by reference (``data.aws_iam_policy_document``)
count as written in it. ``Deny`` statements are kept beside the ``Allow`` ones: a check
asks whether an action is allowed on a resource, and an unconditional ``Deny`` that
covers it takes it away. A permissions boundary is recorded: its own statements when it
is a policy of the scan, else the ARN as written.

AWS managed policies are known by name only (see IG015): their documents are not
shipped, so what they grant does not count here.

Joins go through addresses within a scope (``Principal.scope``): the same logical id in
two templates names two principals. A reference by name alone (``Users: [alice]`` with no
``alice`` in the template) names a principal outside the scan and joins nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from iacguard import catalog
from iacguard.model import (
    Attachment,
    Model,
    Policy,
    Principal,
    Scalar,
    Statement,
    Unknown,
    Value,
)
from iacguard.records import dataclass, field

Key = tuple[str, str]  # (scope, address)


@dataclass(frozen=True, slots=True)
class Grant:
    """A statement a principal holds, and how it comes to hold it (``via``: for
    messages, e.g. ``managed policy deploy attached to group ops``)."""

    statement: Statement
    policy: Policy
    via: str


@dataclass(slots=True)
class Effective:
    """One principal's permissions. ``boundary``: the statements of its permissions
    boundary when that policy is in the scan; ``boundary_arn`` the boundary as written
    when it is not (AWS managed, another stack, unresolved)."""

    principal: Principal
    grants: list[Grant] = field(default_factory=list)
    groups: list[Principal] = field(default_factory=list)
    managed: list[Policy] = field(default_factory=list)
    boundary: list[Statement] | None = None
    boundary_arn: Value | None = None

    def allows(self) -> list[Grant]:
        return [g for g in self.grants if is_allow(g.statement)]

    def denies(self) -> list[Grant]:
        return [g for g in self.grants if is_deny(g.statement)]


class Permissions:
    """The model's principals and policies, indexed for joining."""

    def __init__(self, model: Model) -> None:
        self.principals: dict[Key, Principal] = {(p.scope, p.address): p for p in model.principals}
        self.named: dict[Key, Policy] = {}  # managed policies and documents by address
        self.managed_names: dict[tuple[str, str], Policy] = {}  # (scope, IAM name)
        self.inline: dict[Key, list[Policy]] = {}
        for policy in model.policies:
            if policy.kind in ("managed", "document"):
                self.named[policy.scope, policy.address] = policy
            if policy.kind == "managed" and isinstance(policy.name, Scalar):
                self.managed_names[policy.scope, str(policy.name.value)] = policy
            if policy.kind == "inline":
                for ref in policy.embedded_in:
                    if ref.target is not None:
                        self.inline.setdefault((ref.scope, ref.target), []).append(policy)
        self.attached: dict[Key, list[Attachment]] = {}
        for attachment in model.attachments:
            ref = attachment.principal
            if ref.target is not None:
                self.attached.setdefault((ref.scope, ref.target), []).append(attachment)
        self.groups_of: dict[Key, list[Key]] = {}
        for membership in model.memberships:
            user, group = membership.user, membership.group
            if user.target is not None and group.target is not None:
                groups = self.groups_of.setdefault((user.scope, user.target), [])
                groups.append((group.scope, group.target))
        self._statements: dict[int, list[Statement]] = {}
        self._effective: dict[Key, Effective] = {}

    def statements(self, policy: Policy) -> list[Statement]:
        """A policy's statements with those of the documents it uses; as in Terraform, a
        statement written in the policy replaces a used one with the same Sid."""
        found = self._statements.get(id(policy))
        if found is None:
            found = self._merged(policy, set())
            self._statements[id(policy)] = found
        return found

    def _merged(self, policy: Policy, seen: set[Key]) -> list[Statement]:
        own = list(policy.statements)
        sids = {s.sid for s in own if s.sid}
        used: list[Statement] = []
        for address in policy.uses:
            key = (policy.scope, address)
            document = self.named.get(key)
            if document is None or key in seen:
                continue
            used.extend(s for s in self._merged(document, seen | {key}) if s.sid not in sids)
        return used + own

    def of(self, principal: Principal) -> Effective:
        key = (principal.scope, principal.address)
        effective = self._effective.get(key)
        if effective is None:
            effective = self._build(principal)
            self._effective[key] = effective
        return effective

    def _build(self, principal: Principal) -> Effective:
        effective = Effective(principal)
        key = (principal.scope, principal.address)
        self._add(effective, key, None)
        if principal.kind == "user":
            for group_key in dict.fromkeys(self.groups_of.get(key, [])):
                group = self.principals.get(group_key)
                if group is not None:
                    effective.groups.append(group)
                    self._add(effective, group_key, group)
        if principal.boundary is not None:
            boundary = self._managed(principal.boundary)
            if boundary is not None:
                effective.boundary = self.statements(boundary)
            else:
                effective.boundary_arn = principal.boundary.policy
        return effective

    def _add(self, effective: Effective, key: Key, group: Principal | None) -> None:
        """The policies of the principal ``key``: the effective one's, or its ``group``'s."""
        of_group = f" of group {_name(group)}" if group else ""
        for policy in self.inline.get(key, []):
            via = f"inline policy {_policy_name(policy)}{of_group}"
            effective.grants.extend(Grant(s, policy, via) for s in self.statements(policy))
        for attachment in self.attached.get(key, []):
            managed = self._managed(attachment)
            if managed is None:
                continue
            effective.managed.append(managed)
            to = f"to group {_name(group)}" if group else "directly"
            via = f"managed policy {_policy_name(managed)} attached {to}"
            effective.grants.extend(Grant(s, managed, via) for s in self.statements(managed))

    def _managed(self, attachment: Attachment) -> Policy | None:
        """The customer managed policy of the scan an attachment names, by address or
        by the name at the end of its ARN."""
        scope = attachment.principal.scope
        if attachment.policy_target is not None:
            return self.named.get((scope, attachment.policy_target))
        arn = attachment.policy
        if isinstance(arn, Scalar) and ":policy/" in str(arn.value):
            account = str(arn.value).split(":")[4:5]
            if account != ["aws"]:
                return self.managed_names.get((scope, str(arn.value).rsplit("/", 1)[-1]))
        return None


def is_allow(statement: Statement) -> bool:
    """Allow in some alternative (an ``Fn::If`` branch may allow)."""
    return any(isinstance(e, Scalar) and e.value == "Allow" for e in statement.effect)


def is_deny(statement: Statement) -> bool:
    return bool(statement.effect) and all(
        isinstance(e, Scalar) and e.value == "Deny" for e in statement.effect
    )


@dataclass(frozen=True, slots=True)
class Match:
    """Whether a statement's actions cover an action; ``unknown``: values that could not
    be resolved and might (a check reports them instead of passing silently)."""

    matches: bool
    unknown: tuple[Unknown, ...] = ()


def covers_action(statement: Statement, action: str) -> Match:
    """``Action`` naming ``action`` by name or pattern, or ``NotAction`` not naming it."""
    listed = statement.actions if statement.actions is not None else statement.not_actions
    if listed is None:
        return Match(False)
    unknown = tuple(v for v in listed if isinstance(v, Unknown))
    named = any(isinstance(v, Scalar) and action_matches(str(v.value), action) for v in listed)
    if statement.actions is not None:
        return Match(named, () if named else unknown)
    return Match(not named and not unknown, () if named else unknown)


def action_matches(pattern: str, action: str) -> bool:
    """IAM's matching: case-insensitive, ``*`` any run of characters, ``?`` one."""
    return catalog.matches(pattern, action)


def resource_matches(pattern: str, resource: str) -> bool:
    """An ARN pattern against a concrete ARN (case-sensitive, as IAM compares ARNs)."""
    return _compiled_resource(pattern).fullmatch(resource) is not None


@lru_cache(maxsize=4096)
def _compiled_resource(pattern: str) -> re.Pattern[str]:
    return re.compile(_glob(pattern), re.DOTALL)


def _glob(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.strip())


def _name(principal: Principal) -> str:
    return str(principal.name.value) if isinstance(principal.name, Scalar) else principal.address


def _policy_name(policy: Policy) -> str:
    return str(policy.name.value) if isinstance(policy.name, Scalar) else policy.address
