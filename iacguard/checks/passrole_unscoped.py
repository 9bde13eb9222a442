from __future__ import annotations

from iacguard import catalog
from iacguard.checks.base import Check, Context
from iacguard.conditions import restriction
from iacguard.findings import Severity
from iacguard.grants import (
    IDENTITY_KINDS,
    allows,
    grants_name,
    only_if,
    unresolved_resources,
    unscoped,
)
from iacguard.model import Policy, Statement

PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = ("iam:PassedToService",)


class PassroleUnscoped(Check):
    """An identity policy lets a principal pass any role to a service.

    ## What it does
    Reports an `Allow` statement of an identity policy that grants `iam:PassRole` (by
    name, by a wildcard such as `iam:Pass*`, `iam:*` or `*`, or through `NotAction`) on
    every role: `Resource: "*"`, `arn:aws:iam::*:role/*`, `arn:aws:iam::<account>:role/*`
    or `NotResource`. Without an `iam:PassedToService` condition it is high; with one
    (a positive operator and a concrete service) it is medium.

    ## Why is this bad?
    Passing a role hands its permissions to a service the principal controls: a Lambda
    function, an EC2 instance, a CloudFormation stack. With every role passable, a
    principal that may create any of these can run code as the account's most powerful
    role, including an administrator role. Name the roles it needs to pass.

    ## Example
    ```yaml
    Resources:
      DeployPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
    ```

    ```hcl
    resource "aws_iam_policy" "deploy" {
      name = "deploy"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "iam:PassRole"
          Resource = "*"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      DeployPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: arn:aws:iam::123456789012:role/app-lambda
                Condition:
                  StringEquals:
                    iam:PassedToService: lambda.amazonaws.com
    ```

    ```hcl
    resource "aws_iam_policy" "deploy" {
      name = "deploy"
      policy = jsonencode({
        Statement = [{
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = "arn:aws:iam::123456789012:role/app-lambda"
          Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService
    """

    id = "IG008"
    slug = "passrole-unscoped"
    severity = Severity.HIGH
    severities = (Severity.HIGH, Severity.MEDIUM)
    summary = "An identity policy allows passing any role"

    def statement(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        if policy.kind not in IDENTITY_KINDS or not allows(statement, policy, ctx):
            return
        entry = grants_name(statement, policy, ctx, PASS_ROLE)
        if entry is None:
            return
        action = catalog.get().action(PASS_ROLE)
        assert action is not None, "the catalog always has iam:PassRole"
        how = unscoped(statement, action)
        if how is None:
            unresolved_resources(statement, policy, ctx)
            return
        verdict = restriction(statement.conditions, PASSED_TO_SERVICE)
        if verdict.unresolved and not verdict.restricts:
            for value in verdict.unresolved:
                ctx.unknown(value, policy.address, "iam:PassedToService cannot be resolved")
            return
        if verdict.restricts:
            severity = Severity.MEDIUM
            limit = "only to the services iam:PassedToService names"
        else:
            severity = Severity.HIGH
            limit = "to any service (no iam:PassedToService condition)"
        ctx.report(
            entry.location,
            f"Statement {statement.label} allows iam:PassRole on every role ({how}) "
            f"{limit}{only_if(statement, entry.when)}",
            resource=policy.address,
            resource_type=policy.resource_type,
            severity=severity,
            element=f"{statement.sid or statement.index}",
        )
