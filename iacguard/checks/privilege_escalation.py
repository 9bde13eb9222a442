from __future__ import annotations

from iacguard.checks.base import Check, Context, text_of
from iacguard.checks.escalation_steps import Found, allowed
from iacguard.escalation_paths import ANY_ACTION, PATHS, Coverage, Path, Step
from iacguard.findings import Related, Severity
from iacguard.model import Location, Model, Scalar, Unknown
from iacguard.permissions import Effective, Grant, is_allow

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
            steps: dict[tuple[Step, str | None], Found] = {}  # paths share steps
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


def _check_path(
    effective: Effective,
    path: Path,
    steps: dict[tuple[Step, str | None], Found],
    blocked: dict[Unknown, list[str]],
    ctx: Context,
) -> None:
    """Report the path when every step is allowed; when only unknowns stand in the way,
    note them in ``blocked``. ``steps``: the steps of this principal evaluated so far."""
    found: list[Found] = []
    for step in path.steps:
        key = (step, path.passed_to if step.action == "iam:PassRole" else None)
        if key not in steps:
            steps[key] = allowed(effective, step, path)
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


def _related(steps: tuple[Step, ...], found: list[Found]) -> tuple[Related, ...]:
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
