from __future__ import annotations

from iacguard.checks.access import (
    WHO_KEYS,
    anyone,
    documents,
    grants,
    principal_values,
    statement_key,
    statements_of,
    suffix,
    used_by,
    who_restricts,
)
from iacguard.checks.base import Check, Context
from iacguard.checks.role_access import statement_writes
from iacguard.conditions import restriction
from iacguard.findings import Severity
from iacguard.grants import allows
from iacguard.model import Model, Policy, Scalar, Statement, Unknown

_KEYS = (*WHO_KEYS, "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp")
_LAMBDA_PERMISSIONS = ("aws_lambda_permission", "AWS::Lambda::Permission")
# Services whose resources (buckets, identities) are named without an account, so a
# permission for them also needs the source account.
_NEEDS_ACCOUNT = ("s3.amazonaws.com", "ses.amazonaws.com")


class PublicResourcePolicy(Check):
    """A resource policy lets anyone reach the resource.

    ## What it does
    Reports every `Allow` statement of a resource policy (S3 bucket, SQS queue, SNS
    topic, KMS key, ECR repository, Secrets Manager secret, OpenSearch or Elasticsearch
    domain, Lambda permission) whose principal is anyone (`"*"`, `{"AWS": "*"}`, an ARN
    with a wildcard account, `NotPrincipal`) with no condition that pins who may:
    the IG010 keys (`aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:SourceAccount`,
    `aws:SourceArn`…), `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceIp`, or
    `kms:CallerAccount` together with `kms:ViaService`. Critical when the statement
    grants more than reading (an action whose name does not start with a read verb such
    as `Get`, `List`, `Describe`; `*`; `NotAction`) or `kms:Decrypt`; else high.

    A Lambda permission (`aws_lambda_permission`, `AWS::Lambda::Permission`) is read as
    the statement AWS adds to the function's policy. It is reported when its principal
    is `*` with no `source_arn`, `source_account` or `principal_org_id`, or when it is a
    service (`s3.amazonaws.com`) with no `source_arn` / `SourceArn` (and, for S3 and SES,
    no `source_account` / `SourceAccount`): then any account's bucket or topic can invoke
    the function (high). Lambda accepts only an ARN, an account id or an organization id
    in those properties, so one that is set counts even when its value is known only at
    apply (`source_arn = aws_s3_bucket.uploads.arn`).

    ## Why is this bad?
    `Resource: "*"` in a resource policy means "this resource"; `Principal: "*"` means
    everyone on the internet with an AWS account, and for buckets and domains anyone
    at all. Public buckets, queues and keys are how data leaks.

    ## Example
    ```yaml
    Resources:
      ReportsPolicy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref Reports
          PolicyDocument:
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: s3:GetObject
                Resource: !Sub "${Reports.Arn}/*"
    ```

    ```hcl
    resource "aws_lambda_permission" "uploads" {
      function_name = aws_lambda_function.thumbnail.function_name
      action        = "lambda:InvokeFunction"
      principal     = "s3.amazonaws.com"
    }
    ```

    ## Use instead
    ```yaml
              - Effect: Allow
                Principal: "*"
                Action: s3:GetObject
                Resource: !Sub "${Reports.Arn}/*"
                Condition:
                  StringEquals:
                    aws:PrincipalOrgID: o-a1b2c3d4e5
    ```

    ```hcl
    resource "aws_lambda_permission" "uploads" {
      function_name  = aws_lambda_function.thumbnail.function_name
      action         = "lambda:InvokeFunction"
      principal      = "s3.amazonaws.com"
      source_arn     = aws_s3_bucket.uploads.arn
      source_account = "111122223333"
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
    - https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """

    id = "IG013"
    slug = "public-resource-policy"
    severity = Severity.CRITICAL
    summary = "A resource policy lets anyone reach the resource"

    def model(self, model: Model, ctx: Context) -> None:
        known = documents(model)
        for policy in model.policies:
            if policy.kind != "resource":
                continue
            for statement in statements_of(policy, known):
                if not allows(statement, policy, ctx):
                    continue
                if policy.resource_type in _LAMBDA_PERMISSIONS:
                    self._service(statement, policy, ctx)
                self._anyone(statement, policy, ctx)

    def _anyone(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        found = anyone(statement, policy, ctx)
        if not found or _kms_caller(statement):
            return
        if policy.resource_type in _LAMBDA_PERMISSIONS:
            if statement.conditions:  # a source or organization is set (see _present)
                return
        elif who_restricts(statement, policy, ctx, _KEYS):
            return
        first = found[0]
        shown = ", ".join(dict.fromkeys(a.shown for a in found))
        who = (
            "Everyone but the principals listed in NotPrincipal"
            if first.shown == "NotPrincipal"
            else f"Anyone ({shown})"
        )
        decrypts = grants(statement, "kms:Decrypt")
        writes = statement_writes(statement)
        severity = Severity.CRITICAL if writes or decrypts else Severity.HIGH
        actions = ", ".join(
            str(a.value) for a in statement.actions or () if isinstance(a, Scalar)
        ) or ("every action but those in NotAction" if statement.not_actions else "nothing")
        which = f" (statement {statement.label})"
        fix = (
            "add an aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn condition, "
            "or name the principals"
        )
        if policy.resource_type in _LAMBDA_PERMISSIONS:
            names = _names(policy)
            which, fix = "", f"set {names['principal_org_id']} or {names['aws:SourceArn']}"
        ctx.report(
            first.location,
            f"{who} can {actions} on {policy.governs or policy.address}{which}"
            f"{suffix(first.when)}: {fix}",
            resource=policy.address,
            resource_type=policy.resource_type,
            related=used_by(policy, statement),
            severity=severity,
            scope=policy.scope,
            element=f"{statement_key(statement)}:{shown}",
        )

    def _service(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        """A service principal with no source: any account's resource of that service."""
        for value in principal_values(statement, "Service"):
            if isinstance(value, Unknown):
                ctx.unknown(value, policy.address)
                continue
            service = str(value.value)
            missing = [
                key
                for key in ("aws:SourceArn", "aws:SourceAccount")
                if (key == "aws:SourceArn" or service in _NEEDS_ACCOUNT)
                and not _present(statement, key)
            ]
            if not missing:
                continue
            names = _names(policy)
            wanted = " and ".join(names[k] for k in missing)
            ctx.report(
                value.location,
                f"Any {service} resource, in any account, can invoke "
                f"{policy.governs or policy.address}{suffix(value.when)}: set {wanted}",
                resource=policy.address,
                resource_type=policy.resource_type,
                related=used_by(policy, statement),
                severity=Severity.HIGH,
                scope=policy.scope,
                element=f"service:{service}",
            )


def _names(policy: Policy) -> dict[str, str]:
    """How the Lambda permission's format spells the properties behind its conditions."""
    if policy.resource_type == "AWS::Lambda::Permission":
        return {
            "aws:SourceArn": "SourceArn",
            "aws:SourceAccount": "SourceAccount",
            "principal_org_id": "PrincipalOrgID",
        }
    return {
        "aws:SourceArn": "source_arn",
        "aws:SourceAccount": "source_account",
        "principal_org_id": "principal_org_id",
    }


def _present(statement: Statement, key: str) -> bool:
    """Whether a Lambda permission sets the property behind ``key``. Lambda accepts only
    an ARN as ``source_arn``, 12 digits as ``source_account`` and an organization id as
    ``principal_org_id``, never a bare wildcard, so one that is set restricts even when
    its value is known only at apply (``aws_s3_bucket.uploads.arn``)."""
    return any(condition.key == key for condition in statement.conditions)


def _kms_caller(statement: Statement) -> bool:
    """``kms:CallerAccount`` with ``kms:ViaService``: only that account, through that service."""
    return all(
        restriction(statement.conditions, (key,)).restricts
        for key in ("kms:CallerAccount", "kms:ViaService")
    )
