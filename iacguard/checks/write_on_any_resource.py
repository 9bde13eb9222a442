from __future__ import annotations

from iacguard.catalog import describe
from iacguard.checks.base import Check, Context
from iacguard.checks.credentials_exposure import CREDENTIAL_ACTIONS
from iacguard.checks.passrole_unscoped import PASS_ROLE
from iacguard.findings import Severity
from iacguard.grants import (
    IDENTITY_KINDS,
    allows,
    entries,
    grants,
    only_if,
    unresolved_resources,
    unrestricted,
    unscoped_actions,
)
from iacguard.model import Policy, Scalar, Statement

# Actions with a rule of their own (IG008, IG009), which says more than "a write".
_OWN_RULES = frozenset({PASS_ROLE, *CREDENTIAL_ACTIONS})
_SEVERITY = {
    "Permissions management": Severity.HIGH,
    "Write": Severity.MEDIUM,
    "Tagging": Severity.LOW,
}


class WriteOnAnyResource(Check):
    """An identity policy lets a principal change any resource of a kind.

    ## What it does
    Reports an `Allow` statement of an identity policy that grants Write, Permissions
    management or Tagging actions on an unscoped resource (`*`, `arn:aws:s3:::*`,
    `NotResource`) with no condition that narrows the resources (`aws:ResourceTag/…`,
    `aws:ResourceAccount`, `aws:ResourceOrgID`, `aws:ResourceOrgPaths` or a condition
    key the service defines for those actions). Actions are read from the action
    catalog: an action that supports no resource-level permissions (`xray:PutTraceSegments`)
    is never reported, since no `Resource` can narrow it. Severity follows the most
    powerful access level granted: Permissions management is high, Write medium, Tagging
    alone low. A statement that IG002 already reports for `*` or `service:*` is left to it,
    and so are `iam:PassRole` (IG008) and the actions that return credentials (IG009).

    ## Why is this bad?
    Least privilege is fine-grained: the principal that writes one bucket should not
    write every bucket in the account. `Resource: "*"` on write actions turns a bug or a
    stolen credential in one component into damage everywhere.

    ## Example
    ```yaml
    Resources:
      UploaderPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:PutObject, s3:DeleteObject]
                Resource: "*"
    ```

    ```hcl
    resource "aws_iam_policy" "uploader" {
      name = "uploader"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:DeleteObject"]
          Resource = "*"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      UploaderPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:PutObject, s3:DeleteObject]
                Resource: arn:aws:s3:::uploads-bucket/*
    ```

    ```hcl
    resource "aws_iam_policy" "uploader" {
      name = "uploader"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:DeleteObject"]
          Resource = "arn:aws:s3:::uploads-bucket/*"
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    """

    id = "IG007"
    slug = "write-on-any-resource"
    severity = Severity.HIGH
    severities = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)
    summary = "An identity policy grants write actions on any resource"

    def statement(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        if policy.kind not in IDENTITY_KINDS or not allows(statement, policy, ctx):
            return
        if any(_whole_service(v.value) for v in statement.actions or () if isinstance(v, Scalar)):
            return  # IG002 reports it, at a higher severity
        found = grants(statement, policy, ctx)
        writes = unscoped_actions(
            statement,
            (
                action
                for grant in found
                for action in grant.actions
                if action.access in _SEVERITY and action.full not in _OWN_RULES
            ),
        )
        if not writes:
            unresolved_resources(statement, policy, ctx)
            return
        if not unrestricted(statement, policy, ctx, writes):
            return
        severity = max((_SEVERITY[a.access] for a in writes), key=lambda s: s.rank)
        first = next(g for g in found if set(g.actions).intersection(writes))
        resources = ", ".join(dict.fromkeys(writes.values()))
        ctx.report(
            first.location,
            f"Statement {statement.label} grants {describe(writes)} on any resource "
            f"({resources}) through {entries(found, writes)}{only_if(statement, first.when)}",
            resource=policy.address,
            resource_type=policy.resource_type,
            severity=severity,
            element=f"{statement.sid or statement.index}",
        )


def _whole_service(action: object) -> bool:
    return isinstance(action, str) and (action == "*" or action.endswith(":*"))
