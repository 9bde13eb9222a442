from __future__ import annotations

from dataclasses import dataclass, field

from iacguard.checks.base import Check, Context, text_of
from iacguard.escalation_paths import ANY_ACTION, PATHS, Coverage, Path, Step, Target
from iacguard.findings import Related, Severity
from iacguard.model import Location, Model, Policy, Principal, Scalar, Statement, Unknown
from iacguard.permissions import (
    Effective,
    Grant,
    action_matches,
    covers_action,
    is_allow,
    is_deny,
)

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
_ADMIN_BOUNDARY = ":iam::aws:policy/AdministratorAccess"


class PrivilegeEscalation(Check):
    """A principal's effective permissions contain a known privilege-escalation path.

    ## What it does
    Joins, for every user, group, role and permission set, its inline policies, the
    customer managed policies of the scan attached to it and, for a user, those of its
    groups, then looks for every published escalation path (`iam:CreatePolicyVersion`,
    `iam:Attach*Policy`, `iam:Put*Policy`, `iam:AddUserToGroup`, access keys and login
    profiles of other users, `iam:PassRole` with a compute service, `lambda:UpdateFunctionCode`
    and the others of the list in `iacguard/escalation_paths.py`). A path counts when each
    of its actions is allowed on a resource that can be the target (`*`, an ARN with a
    wildcard name, or the principal's own ARN for steps on itself), with no condition on
    the target (`iam:PolicyARN`, `iam:PermissionsBoundary`, resource tags or account;
    `iam:PassedToService` naming another service), and no unconditional `Deny` or
    permissions boundary of the scan takes it away. Reported once per principal and path,
    at the principal, with the statements that grant each action as related locations.
    Critical when the principal escalates on itself alone (new policy versions, a policy
    attached to or put on itself); high when the path goes through another principal or
    service. AWS managed policies are known by name only (see IG015) and do not count. A
    principal already allowed `*` on every resource is an administrator with nothing to
    gain: IG002 reports it, and no path is reported for it.

    ## Why is this bad?
    No statement looks wrong on its own: `iam:PassRole` in a group policy and
    `lambda:CreateFunction` with `lambda:InvokeFunction` in a user's attached policy are
    each ordinary. Together they let the user run code as any role, including an
    administrator role: the user is an administrator in waiting.

    ## Example
    ```yaml
    Resources:
      Developers:
        Type: AWS::IAM::Group
        Properties:
          Policies:
            - PolicyName: pass-roles
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: iam:PassRole
                    Resource: "*"
      Alice:
        Type: AWS::IAM::User
        Properties:
          Groups: [!Ref Developers]
          ManagedPolicyArns: [!Ref LambdaDevelopment]
      LambdaDevelopment:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [lambda:CreateFunction, lambda:InvokeFunction]
                Resource: "*"
    ```

    ```hcl
    resource "aws_iam_group_policy" "pass_roles" {
      group  = aws_iam_group.developers.name
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
      })
    }

    resource "aws_iam_user_group_membership" "alice" {
      user   = aws_iam_user.alice.name
      groups = [aws_iam_group.developers.name]
    }

    resource "aws_iam_policy" "lambda_development" {
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["lambda:CreateFunction", "lambda:InvokeFunction"]
          Resource = "*"
        }]
      })
    }

    resource "aws_iam_user_policy_attachment" "alice" {
      user       = aws_iam_user.alice.name
      policy_arn = aws_iam_policy.lambda_development.arn
    }

    resource "aws_iam_group" "developers" {
      name = "developers"
    }

    resource "aws_iam_user" "alice" {
      name = "alice"
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      Developers:
        Type: AWS::IAM::Group
        Properties:
          Policies:
            - PolicyName: pass-function-roles
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: iam:PassRole
                    Resource: arn:aws:iam::123456789012:role/lambda-app
                    Condition:
                      StringEquals:
                        iam:PassedToService: lambda.amazonaws.com
    ```

    ```hcl
    resource "aws_iam_group_policy" "pass_function_roles" {
      group = aws_iam_group.developers.name
      policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = "arn:aws:iam::123456789012:role/lambda-app"
          Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
        }]
      })
    }

    resource "aws_iam_group" "developers" {
      name = "developers"
    }
    ```

    ## References
    - https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
    - https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation-part-2/
    - https://github.com/BishopFox/iam-vulnerable
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
    """

    id = "IG014"
    slug = "privilege-escalation"
    severity = Severity.HIGH
    severities = (Severity.CRITICAL, Severity.HIGH)
    summary = "A principal's effective permissions contain a privilege-escalation path"

    def model(self, model: Model, ctx: Context) -> None:
        permissions = ctx.permissions(model)
        covered = Coverage()
        for principal in model.principals:
            effective = permissions.of(principal)
            reachable = covered.actions(effective)
            if not reachable or _administrator(effective) or _unknown_boundary(effective, ctx):
                continue  # most principals hold no action of any path
            steps: dict[tuple[Step, str | None], _Found] = {}  # paths share steps
            blocked: dict[Unknown, list[str]] = {}
            for path in PATHS:
                if (
                    principal.kind in path.applies_to
                    and (principal.boundary is not None or not path.needs_boundary)
                    and (ANY_ACTION in reachable or path.steps[0].action in reachable)
                ):
                    _check_path(effective, path, steps, blocked, ctx)
            for unknown, names in blocked.items():
                more = f" and {len(names) - 2} more" if len(names) > 2 else ""
                why = f"may complete {' or '.join(names[:2])}{more}"
                ctx.unknown(unknown, principal.address, why)


def _administrator(effective: Effective) -> bool:
    """Allowed ``*`` on ``*`` with no condition and no boundary: there is nothing more to
    gain (IG002 reports the statement)."""
    unbounded = effective.boundary is None and effective.boundary_arn is None
    return unbounded and any(
        is_allow(s)
        and not s.conditions
        and any(
            isinstance(a, Scalar) and str(a.value).strip() in ("*", "*:*") for a in s.actions or ()
        )
        and any(isinstance(r, Scalar) and str(r.value).strip() == "*" for r in s.resources or ())
        for s in (g.statement for g in effective.grants)
    )


def _unknown_boundary(effective: Effective, ctx: Context) -> bool:
    """A boundary outside the scan may remove any action: nothing can be said."""
    arn = effective.boundary_arn
    if arn is None or (isinstance(arn, Scalar) and str(arn.value).endswith(_ADMIN_BOUNDARY)):
        return False
    if isinstance(arn, Scalar):  # known, but its document is not in the scan
        arn = Unknown(str(arn.value), "", arn.location, arn.when)
    why = "the permissions boundary cannot be resolved: it may remove an escalation path"
    ctx.unknown(arn, effective.principal.address, why)
    return True


@dataclass(slots=True)
class _Found:
    grants: list[Grant] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)


def _check_path(
    effective: Effective,
    path: Path,
    steps: dict[tuple[Step, str | None], _Found],
    blocked: dict[Unknown, list[str]],
    ctx: Context,
) -> None:
    """Report the path when every step is allowed; when only unknowns stand in the way,
    note them in ``blocked``. ``steps``: the steps of this principal evaluated so far."""
    found: list[_Found] = []
    for step in path.steps:
        key = (step, path.passed_to if step.action == "iam:PassRole" else None)
        if key not in steps:
            steps[key] = _allowed(effective, step, path)
        if not steps[key].grants and not steps[key].unknown:
            return  # most principals stop at the first step
        found.append(steps[key])
    principal = effective.principal
    if any(not f.grants for f in found):
        for f in found:
            for unknown in f.unknown:
                blocked.setdefault(unknown, []).append(path.name)
        return
    actions = ", ".join(step.action for step in path.steps)
    kind = principal.kind.replace("_", " ").capitalize()
    how = "on itself" if path.self_escalation else "through another principal or service"
    what = "this action" if len(path.steps) == 1 else "one of these actions"
    ctx.report(
        principal.location,
        f"{kind} {text_of(principal.name, principal.address)} can escalate its privileges "
        f"{how}: {path.name} ({actions}); scope or remove {what}",
        resource=principal.address,
        resource_type=principal.resource_type,
        scope=principal.scope,
        element=path.name,
        severity=Severity.CRITICAL if path.self_escalation else None,
        related=_related(path.steps, found),
    )


def _related(steps: tuple[Step, ...], found: list[_Found]) -> tuple[Related, ...]:
    """Each statement that grants a step, once, naming the actions it grants."""
    granted: dict[Location, list[str]] = {}
    via: dict[Location, Grant] = {}
    for step, f in zip(steps, found, strict=True):
        for grant in f.grants:
            statement = grant.statement
            where = statement.action_location or statement.location
            granted.setdefault(where, []).append(step.action)
            via.setdefault(where, grant)
    return tuple(
        Related(
            where,
            f"{', '.join(actions)}: statement {via[where].statement.label} of {via[where].via}",
        )
        for where, actions in granted.items()
    )


def _allowed(effective: Effective, step: Step, path: Path) -> _Found:
    """The grants that allow ``step`` towards its target; none when a Deny or the
    boundary takes it away."""
    found = _Found()
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
