from __future__ import annotations

import datetime as dt

from iacguard import catalog
from iacguard.checks.base import Check, Context
from iacguard.findings import Severity
from iacguard.grants import only_if
from iacguard.model import Policy, Scalar, Statement, Unknown

STALE_AFTER_DAYS = 90


class UnknownAction(Check):
    """A policy names an action that does not exist.

    ## What it does
    Reports every `Action` or `NotAction` entry that matches no action in the action
    catalog: an unknown service prefix, a misspelt action (`dyanmodb:PutItem`,
    `s3:GetObjects`) or a wildcard that matches nothing (`s3:Gett*`). The message
    suggests the closest real action. In a `Deny` statement it is high: the guardrail
    silently does not apply. Entries that cannot be resolved are recorded as unresolved.
    When the catalog is older than 90 days the message says so, since the action may be
    newer than the catalog.

    ## Why is this bad?
    IAM accepts a policy with a misspelt action and grants nothing for it: the `Allow`
    a deployment relies on is broken, and it breaks at run time, not at deploy time.
    A misspelt `Deny` is worse: it looks like a guardrail and protects nothing.

    ## Example
    ```yaml
    Resources:
      TablePolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dyanmodb:PutItem
                Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders
    ```

    ```hcl
    resource "aws_iam_policy" "table" {
      name = "table"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "dyanmodb:PutItem"
          Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      TablePolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders
    ```

    ```hcl
    resource "aws_iam_policy" "table" {
      name = "table"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "dynamodb:PutItem"
          Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """

    id = "IG006"
    slug = "unknown-action"
    severity = Severity.HIGH  # in a Deny; an Allow's finding is medium
    severities = (Severity.HIGH, Severity.MEDIUM)
    summary = "A policy names an action that does not exist"

    def statement(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        denies = any(isinstance(e, Scalar) and e.value == "Deny" for e in statement.effect)
        elements = (("Action", statement.actions), ("NotAction", statement.not_actions))
        for element, values in elements:
            for value in values or ():
                if isinstance(value, Unknown):
                    ctx.unknown(value, policy.address)
                elif not _exists(value.value) and not (
                    policy.kind == "resource"
                    and str(value.value).lower() in RESOURCE_POLICY_ACTIONS
                ):
                    self._report(statement, policy, ctx, value, element=element, denies=denies)

    def _report(
        self,
        statement: Statement,
        policy: Policy,
        ctx: Context,
        value: Scalar,
        *,
        element: str,
        denies: bool,
    ) -> None:
        text = str(value.value)
        cat = catalog.get()
        if element == "NotAction":
            effect = "it excepts nothing"
        else:
            effect = "the Deny does not apply" if denies else "it grants nothing"
        suggestion = cat.suggest(text)
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        age = cat.info.age_days(dt.date.today())
        stale = (
            f"; the action catalog is {age} days old ({cat.info.date}): "
            "the action may be newer than it"
            if age > STALE_AFTER_DAYS
            else ""
        )
        ctx.report(
            value.location,
            f"Statement {statement.label} {element} {text} matches no IAM action: "
            f"{effect}{hint}{stale}{only_if(statement, value.when)}",
            resource=policy.address,
            resource_type=policy.resource_type,
            severity=Severity.HIGH if denies else Severity.MEDIUM,
            element=f"{statement.sid or statement.index}:{element}:{text}",
        )


# Actions a resource policy may name that the service authorization reference (and so the
# catalog) does not list: SNS topic policies grant SNS:Receive to let a subscriber receive.
RESOURCE_POLICY_ACTIONS = frozenset({"sns:receive"})


def _exists(value: object) -> bool:
    return isinstance(value, str) and catalog.get().knows(value)
