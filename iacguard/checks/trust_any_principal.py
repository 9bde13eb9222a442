from __future__ import annotations

from iacguard.checks.access import (
    WHO_KEYS,
    anyone,
    documents,
    statement_key,
    statements_of,
    suffix,
    used_by,
    who_restricts,
)
from iacguard.checks.base import Check, Context
from iacguard.findings import Severity
from iacguard.grants import allows
from iacguard.model import Model


class TrustAnyPrincipal(Check):
    """A role's trust policy lets anyone assume the role.

    ## What it does
    Reports every `Allow` statement of a role's trust policy whose principal is anyone:
    `Principal: "*"`, `{"AWS": "*"}`, an ARN with a wildcard account
    (`arn:aws:iam::*:root`), or a `NotPrincipal`, in every shape a principal is written
    (a string, a list, a map by principal type, both branches of `Fn::If`, Terraform
    `principals` blocks, documents used through `.json`), unless a condition pins who
    may: `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
    `aws:PrincipalArn` (naming a concrete account), `aws:SourceAccount`, `aws:SourceArn`,
    `aws:SourceOrgID` or `sts:ExternalId`, with a positive operator and a concrete value.
    `StringNotEquals`, `…IfExists`, empty values and values of only wildcards do not pin
    anyone. A condition value that cannot be resolved is recorded as unresolved.

    ## Why is this bad?
    Anyone with an AWS account (anyone at all) can call `sts:AssumeRole` on the role and
    act with its permissions. Roles reachable from outside are how data leaves accounts.

    ## Example
    ```yaml
    Resources:
      Deployer:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: sts:AssumeRole
    ```

    ```hcl
    resource "aws_iam_role" "deployer" {
      name = "deployer"
      assume_role_policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Principal = { AWS = "*" }
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
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: sts:AssumeRole
                Condition:
                  StringEquals:
                    aws:PrincipalOrgID: o-a1b2c3d4e5
    ```

    ```hcl
    resource "aws_iam_role" "deployer" {
      name = "deployer"
      assume_role_policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Principal = { AWS = "arn:aws:iam::111122223333:role/ci" }
          Action    = "sts:AssumeRole"
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    """

    id = "IG010"
    slug = "trust-any-principal"
    severity = Severity.CRITICAL
    summary = "A role's trust policy lets anyone assume the role"

    def model(self, model: Model, ctx: Context) -> None:
        known = documents(model)
        for policy in model.policies:
            if policy.kind != "trust":
                continue
            role = policy.address
            for statement in statements_of(policy, known):
                if not allows(statement, policy, ctx):
                    continue
                found = anyone(statement, policy, ctx)
                if not found or who_restricts(statement, policy, ctx, WHO_KEYS):
                    continue
                first = found[0]
                shown = ", ".join(dict.fromkeys(a.shown for a in found))
                who = (
                    "Everyone but the principals listed in NotPrincipal"
                    if first.shown == "NotPrincipal"
                    else f"Any AWS principal ({shown})"
                )
                ctx.report(
                    first.location,
                    f"{who} can assume role {role} (statement {statement.label})"
                    f"{suffix(first.when)}: add an aws:PrincipalOrgID or aws:PrincipalArn "
                    "condition, or name the trusted principals",
                    resource=role,
                    resource_type=policy.resource_type,
                    scope=policy.scope,
                    related=used_by(policy, statement),
                    element=f"{statement_key(statement)}:{shown}",
                )
