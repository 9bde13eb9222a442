from __future__ import annotations

from functools import cache

from iacguard import catalog
from iacguard.checks.base import Check, Context
from iacguard.findings import Severity
from iacguard.grants import (
    IDENTITY_KINDS,
    allows,
    grants_name,
    only_if,
    unresolved_resources,
    unrestricted,
    unscoped,
)
from iacguard.model import Policy, Scalar, Statement

# Reviewed list: actions whose response carries a credential, a password or a secret.
# ecr:GetAuthorizationToken is left out on purpose: it supports no resource-level
# permissions, and every principal that pulls an image needs it. sso:GetRoleCredentials
# is no IAM action (the portal authorizes it with its own token), so no policy grants it.
CREDENTIAL_ACTIONS = (
    "sts:AssumeRole",  # a role's temporary credentials
    "sts:GetFederationToken",
    "iam:CreateAccessKey",  # another user's long-lived keys
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",  # another user's console password
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials",
    "rds-db:connect",
    "dsql:DbConnectAdmin",
    "ec2:GetPasswordData",  # a Windows instance's administrator password
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",  # SecureString parameters, decrypted
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "codeartifact:GetAuthorizationToken",
)


class CredentialsExposure(Check):
    """An identity policy lets a principal read credentials or secrets of any resource.

    ## What it does
    Reports an `Allow` statement of an identity policy that grants, on an unscoped
    resource and with no condition that narrows the resources, an action that returns
    credentials or secrets: `sts:AssumeRole`, `iam:CreateAccessKey`,
    `secretsmanager:GetSecretValue`, `ssm:GetParameter`, `kms:Decrypt`,
    `rds-db:connect`, `ec2:GetPasswordData` and the rest of a reviewed list. Granted by
    name, wildcard or `NotAction`. `ecr:GetAuthorizationToken` is exempt: it cannot be
    scoped and every image pull needs it.

    ## Why is this bad?
    A secret readable by everyone who can read one secret is no secret. An unscoped
    `secretsmanager:GetSecretValue` or `kms:Decrypt` hands out every database password and
    every encrypted value in the account; an unscoped `sts:AssumeRole` or
    `iam:CreateAccessKey` hands out other principals' identities.

    ## Example
    ```yaml
    Resources:
      AppPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: "*"
    ```

    ```hcl
    resource "aws_iam_policy" "app" {
      name = "app"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = "*"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      AppPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: secretsmanager:GetSecretValue
                Resource: arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-*
    ```

    ```hcl
    resource "aws_iam_policy" "app" {
      name = "app"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-*"
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """

    id = "IG009"
    slug = "credentials-exposure"
    severity = Severity.HIGH
    summary = "An identity policy exposes credentials or secrets of any resource"

    def statement(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        if policy.kind not in IDENTITY_KINDS or not allows(statement, policy, ctx):
            return
        if not _may_grant(statement):
            return
        exposed: list[tuple[catalog.Action, Scalar, str]] = []
        granted = False
        for name, action in _credential_actions():
            entry = grants_name(statement, policy, ctx, name)
            if entry is None:
                continue
            granted = True
            how = unscoped(statement, action)
            if how is not None:
                exposed.append((action, entry, how))
        if not exposed:
            if granted:
                unresolved_resources(statement, policy, ctx)
            return
        if not unrestricted(statement, policy, ctx, (a for a, _, _ in exposed)):
            return
        first = min((e for _, e, _ in exposed), key=lambda e: (e.location.line, e.location.column))
        resources = ", ".join(dict.fromkeys(how for _, _, how in exposed))
        ctx.report(
            first.location,
            f"Statement {statement.label} allows {_names(exposed)} on any resource "
            f"({resources}): each returns credentials or secrets{only_if(statement, first.when)}",
            resource=policy.address,
            resource_type=policy.resource_type,
            element=f"{statement.sid or statement.index}",
        )


def _names(exposed: list[tuple[catalog.Action, Scalar, str]]) -> str:
    """The first few actions by name, so ``*`` does not list two dozen."""
    names = [action.full for action, _, _ in exposed]
    if len(names) <= _NAMED:
        return ", ".join(names)
    return f"{', '.join(names[:_NAMED])} and {len(names) - _NAMED} more"


_NAMED = 3


_SERVICES = frozenset(name.partition(":")[0] for name in CREDENTIAL_ACTIONS)


def _may_grant(statement: Statement) -> bool:
    """Whether any credential action can be among what the statement grants: False only
    when every ``Action`` entry names another service, with no wildcard in its prefix
    (most statements), so the rule need not match each entry against each action."""
    if statement.not_actions is not None:
        return True
    for value in statement.actions or ():
        if isinstance(value, Scalar):
            service, colon, _ = str(value.value).strip().lower().partition(":")
            if not colon or "*" in service or "?" in service or service in _SERVICES:
                return True
    return False


@cache
def _credential_actions() -> tuple[tuple[str, catalog.Action], ...]:
    """The credential actions with their catalog entries (those the catalog knows)."""
    cat = catalog.get()
    found = ((name, cat.action(name)) for name in CREDENTIAL_ACTIONS)
    return tuple((name, action) for name, action in found if action is not None)
