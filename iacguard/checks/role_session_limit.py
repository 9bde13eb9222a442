from __future__ import annotations

from iacguard.checks.base import Check, Context, text_of
from iacguard.checks.options import Option
from iacguard.findings import Severity
from iacguard.model import Principal, Scalar, Unknown

MAX_SESSION_SECONDS = Option(
    "max_session_seconds",
    3600,
    "the longest role or permission-set session allowed, in seconds",
)
REQUIRE_EXPLICIT_SESSION_LIMIT = Option(
    "require_explicit_session_limit",
    False,
    "also report roles and permission sets that do not set their session length",
)


class RoleSessionLimit(Check):
    """A role's maximum session lasts longer than the configured limit.

    ## What it does
    Reports roles (`aws_iam_role.max_session_duration`, `AWS::IAM::Role`
    `MaxSessionDuration`) and SSO permission sets (`session_duration`,
    `SessionDuration`, ISO 8601 such as `PT12H`) whose maximum session is longer than
    the limit: 3600 seconds unless `--max-session-seconds` or `max_session_seconds` in
    the config says otherwise. The value is resolved like any other; for `Fn::If` the
    worse branch counts. Unset means the AWS default of one hour and passes, unless
    `require_explicit_session_limit` is on.

    ## Why is this bad?
    Temporary credentials are the point of roles. A session of twelve hours is close to
    a long-lived key: if it leaks, it works for the rest of the working day.

    ## Example
    ```yaml
    Resources:
      Deployer:
        Type: AWS::IAM::Role
        Properties:
          MaxSessionDuration: 43200
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: codebuild.amazonaws.com}
                Action: sts:AssumeRole
    ```

    ```hcl
    resource "aws_iam_role" "deployer" {
      name                 = "deployer"
      max_session_duration = 43200
      assume_role_policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Principal = { Service = "codebuild.amazonaws.com" }
          Action    = "sts:AssumeRole"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      Deployer:
        Type: AWS::IAM::Role
        Properties:
          MaxSessionDuration: 3600
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: codebuild.amazonaws.com}
                Action: sts:AssumeRole
    ```

    ```hcl
    resource "aws_iam_role" "deployer" {
      name                 = "deployer"
      max_session_duration = 3600
      assume_role_policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Principal = { Service = "codebuild.amazonaws.com" }
          Action    = "sts:AssumeRole"
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html#id_roles_update-session-duration
    - https://docs.aws.amazon.com/singlesignon/latest/userguide/howtosessionduration.html
    """

    id = "IG005"
    slug = "role-session-limit"
    severity = Severity.MEDIUM
    summary = "A role's maximum session lasts longer than the limit"
    options = (MAX_SESSION_SECONDS, REQUIRE_EXPLICIT_SESSION_LIMIT)

    def principal(self, principal: Principal, ctx: Context) -> None:
        if principal.kind not in ("role", "permission_set"):
            return
        limit = ctx.settings[MAX_SESSION_SECONDS]
        noun = "Role" if principal.kind == "role" else "Permission set"
        shown = text_of(principal.name, principal.address)
        if not principal.session_duration:
            if ctx.settings[REQUIRE_EXPLICIT_SESSION_LIMIT]:
                ctx.report(
                    principal.location,
                    f'{noun} "{shown}" does not set its maximum session duration; '
                    f"set it to at most {_duration(limit)}",
                    resource=principal.address,
                    resource_type=principal.resource_type,
                    element="unset",
                )
            return
        worst: tuple[int, Scalar] | None = None
        for value in principal.session_duration:  # whole seconds (as parsed), or unknown
            if isinstance(value, Unknown):
                ctx.unknown(value, principal.address)
            elif isinstance(value.value, int) and (worst is None or value.value > worst[0]):
                worst = (value.value, value)
        if worst is None or worst[0] <= limit:
            return
        seconds, value = worst
        when = f" if {value.when}" if value.when else ""
        ctx.report(
            value.location,
            f'{noun} "{shown}" allows sessions of {_duration(seconds)}{when}; '
            f"the limit is {_duration(limit)}",
            resource=principal.address,
            resource_type=principal.resource_type,
            element="session",
        )


def _duration(seconds: int) -> str:
    """``43200`` → ``12 hours (43200 s)``."""
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''} ({seconds} s)"
    if seconds % 60 == 0:
        return f"{seconds // 60} minutes ({seconds} s)"
    return f"{seconds} s"
