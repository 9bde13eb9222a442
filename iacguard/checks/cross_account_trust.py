from __future__ import annotations

from iacguard.checks.access import (
    account_of,
    documents,
    may_grant,
    principal_values,
    statement_key,
    statements_of,
    suffix,
    used_by,
)
from iacguard.checks.base import Check, Context
from iacguard.checks.options import Option
from iacguard.findings import Severity
from iacguard.grants import allows
from iacguard.model import OWN_ACCOUNT, Model, Policy, Statement, Unknown

_KEYS = ("sts:ExternalId", "aws:MultiFactorAuthPresent")


def _account_problem(account: object) -> str | None:
    if isinstance(account, str) and len(account) == 12 and account.isascii() and account.isdigit():
        return None
    return f"{account!r} is not a 12-digit AWS account id (write it as a string)"


TRUSTED_ACCOUNTS = Option(
    "trusted_accounts",
    (),
    "AWS accounts of your own, that roles may trust without an external id",
    flag="--trusted-account",
    metavar="ID",
    problem=_account_problem,
)


class CrossAccountTrust(Check):
    """A role trusts another AWS account without an external id or MFA.

    ## What it does
    Reports every `Allow` statement of a role's trust policy that lets principals of
    another AWS account (an account id, or an ARN of a principal in it) call
    `sts:AssumeRole`, unless a condition requires an `sts:ExternalId` (a concrete value)
    or MFA (`Bool` `aws:MultiFactorAuthPresent` `true`). The own account is
    `${AWS::AccountId}` (CloudFormation) or `data.aws_caller_identity.*.account_id`
    (Terraform); list more accounts you own in the config key `trusted_accounts` or with
    `--trusted-account ID`. Wildcard accounts are IG010's; an account that cannot be
    resolved is recorded as unresolved.

    ## Why is this bad?
    Whoever controls the other account decides who in it may act in yours. A third
    party that assumes roles for many customers can be tricked into using its access to
    your account on someone else's behalf (the confused deputy) unless each customer
    gives it an external id; a person's account should prove MFA.

    ## Example
    ```yaml
    Resources:
      VendorRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal:
                  AWS: arn:aws:iam::444455556666:root
                Action: sts:AssumeRole
    ```

    ```hcl
    data "aws_iam_policy_document" "vendor" {
      statement {
        actions = ["sts:AssumeRole"]
        principals {
          type        = "AWS"
          identifiers = ["444455556666"]
        }
      }
    }

    resource "aws_iam_role" "vendor" {
      name               = "vendor-audit"
      assume_role_policy = data.aws_iam_policy_document.vendor.json
    }
    ```

    ## Use instead
    ```yaml
              - Effect: Allow
                Principal:
                  AWS: arn:aws:iam::444455556666:root
                Action: sts:AssumeRole
                Condition:
                  StringEquals:
                    sts:ExternalId: 7f3c1a2e-vendor-issued
    ```

    ```hcl
    data "aws_iam_policy_document" "vendor" {
      statement {
        actions = ["sts:AssumeRole"]
        principals {
          type        = "AWS"
          identifiers = ["444455556666"]
        }
        condition {
          test     = "StringEquals"
          variable = "sts:ExternalId"
          values   = ["7f3c1a2e-vendor-issued"]
        }
      }
    }

    resource "aws_iam_role" "vendor" {
      name               = "vendor-audit"
      assume_role_policy = data.aws_iam_policy_document.vendor.json
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """

    id = "IG012"
    slug = "cross-account-trust"
    severity = Severity.MEDIUM
    summary = "A role trusts another AWS account without an external id or MFA"
    options = (TRUSTED_ACCOUNTS,)

    def model(self, model: Model, ctx: Context) -> None:
        known = documents(model)
        own = {OWN_ACCOUNT, *ctx.settings[TRUSTED_ACCOUNTS]}
        for policy in model.policies:
            if policy.kind != "trust":
                continue
            for statement in statements_of(policy, known):
                if allows(statement, policy, ctx) and may_grant(
                    statement, "sts:AssumeRole", policy, ctx
                ):
                    self._statement(statement, policy, own, ctx)

    def _statement(self, statement: Statement, policy: Policy, own: set[str], ctx: Context) -> None:
        from iacguard.conditions import restriction

        others = []
        for value in principal_values(statement, "AWS"):
            if isinstance(value, Unknown):
                if value.names is None:  # a principal the template creates is in its account
                    ctx.unknown(value, policy.address)
                continue
            account = account_of(str(value.value))
            if account is None or account in own or "*" in account or "?" in account:
                continue
            others.append((account, value))
        if not others:
            return
        found = restriction(statement.conditions, _KEYS, _requires)
        if found.restricts:
            return
        if found.unresolved:
            for unknown in found.unresolved:
                ctx.unknown(unknown, policy.address)
            return
        accounts = ", ".join(dict.fromkeys(account for account, _ in others))
        first = others[0][1]
        plural = "s" if len({a for a, _ in others}) > 1 else ""
        ctx.report(
            first.location,
            f"Principals of account{plural} {accounts} can assume role {policy.address} "
            f"(statement {statement.label}) without an external id or MFA"
            f"{suffix(first.when)}: add an sts:ExternalId condition, or list the account in "
            "trusted_accounts if it is yours",
            resource=policy.address,
            resource_type=policy.resource_type,
            related=used_by(policy, statement),
            element=f"{statement_key(statement)}:{accounts}",
            scope=policy.scope,
        )


def _requires(key: str, value: str) -> bool:
    """MFA counts only when required (``true``); any concrete external id counts."""
    if key.lower() == "aws:multifactorauthpresent":
        return value.strip().lower() == "true"
    return True
