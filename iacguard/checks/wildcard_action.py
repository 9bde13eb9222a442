from __future__ import annotations

from functools import lru_cache

from iacguard import catalog
from iacguard.checks.access import account_of
from iacguard.checks.base import Check, Context
from iacguard.findings import Part, Severity
from iacguard.model import OWN_ACCOUNT, Location, Policy, Scalar, Statement, Unknown


class WildcardAction(Check):
    """An `Allow` statement grants actions by wildcard.

    ## What it does
    Reports every `Allow` statement whose `Action` uses a wildcard, in every policy
    document wherever it is written (inline, managed, trust, policy documents, SAM
    `Policies`, both branches of `Fn::If`). The severity says what the wildcard grants:
    `*` on resource `*` is full administrator (critical), `*` elsewhere or `service:*`
    is high, a partial wildcard such as `s3:Put*` is medium (low when the action catalog
    says every action it matches only lists or reads, like `ec2:Describe*`), and
    `NotAction` in an `Allow` statement (everything not listed) is high. The message says
    what a partial wildcard grants by access level. `Deny` statements never fire.

    Resource policies (bucket, queue, topic, key, repository, secret and domain
    policies, in both formats alike) are judged like any other policy, except a
    statement whose only principal is the own account (`arn:aws:iam::${AWS::AccountId}:root`,
    `data.aws_caller_identity.current.account_id`): that is AWS's default key policy
    (`kms:*` for the account root), which grants nothing by itself but hands the decision
    to the account's identity policies, and those are judged where they are written.

    ## Why is this bad?
    A wildcard grants every action that matches it today and every action AWS adds
    tomorrow. Least privilege means naming the actions a principal needs; `iam:*` or
    `*` hands over the keys to the account.

    ## Example
    ```yaml
    Resources:
      Deployer:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ec2:*
                Resource: "*"
    ```

    ```hcl
    resource "aws_iam_policy" "deployer" {
      name = "deployer"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "ec2:*"
          Resource = "*"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      Deployer:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [ec2:StartInstances, ec2:StopInstances]
                Resource: arn:aws:ec2:*:*:instance/*
    ```

    ```hcl
    resource "aws_iam_policy" "deployer" {
      name = "deployer"
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = ["ec2:StartInstances", "ec2:StopInstances"]
          Resource = "arn:aws:ec2:*:*:instance/*"
        }]
      })
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    """

    id = "IG002"
    slug = "wildcard-action"
    severity = Severity.HIGH
    severities = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
    summary = "An Allow statement grants actions by wildcard"

    def policy(self, policy: Policy, ctx: Context) -> None:
        if policy.document is not None:
            ctx.unknown(policy.document, policy.address, "the policy document cannot be resolved")

    def statement(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        allows = False
        for effect in statement.effect:
            if isinstance(effect, Unknown):
                ctx.unknown(
                    effect,
                    policy.address,
                    "Effect cannot be resolved; the statement is not checked",
                )
            elif effect.value == "Allow":
                allows = True
        if not allows or _delegates_to_iam(statement):
            return
        when = statement.when
        offending: list[tuple[Severity, str, Location]] = []
        parts: list[Part] = []  # what the fingerprint is made of: never the message text
        if statement.not_actions is not None:
            listed = ", ".join(str(a.value) for a in statement.not_actions if isinstance(a, Scalar))
            location = statement.action_location or statement.location
            offending.append(
                (Severity.HIGH, f"every action except {listed or 'none'} (NotAction)", location)
            )
            names = sorted(str(a.value) for a in statement.not_actions if isinstance(a, Scalar))
            parts.append(Part(f"NotAction={','.join(names)}", location))
        every_resource = any(
            isinstance(r, Scalar) and r.value == "*" for r in statement.resources or ()
        )
        for action in statement.actions or ():
            if isinstance(action, Unknown):
                ctx.unknown(action, policy.address)
                continue
            grade = _grade(action.value, every_resource)
            if grade is not None:
                severity, description = grade
                extra = _beyond(action.when, when)
                if extra:
                    description += f" if {extra}"
                offending.append((severity, description, action.location))
                parts.append(Part(f"Action={action.value}", action.location))
        if not offending:
            return
        offending.sort(key=lambda item: -item[0].rank)
        severity, _, location = offending[0]
        described = ", ".join(description for _, description, _ in offending)
        suffix = f" (only if {when})" if when else ""
        ctx.report(
            location,
            f"Statement {statement.label} allows {described}{suffix}",
            resource=policy.address,
            resource_type=policy.resource_type,
            severity=severity,
            element=_statement_identity(statement),
            parts=tuple(parts),
        )


def _delegates_to_iam(statement: Statement) -> bool:
    """A resource policy statement whose only principal is the own account (AWS's default
    key policy: ``kms:*`` for the account root) grants nothing itself: it lets the
    account's identity policies decide, and those are judged where they are written."""
    principals = statement.principals
    if not principals or statement.not_principals is not None:
        return False
    values = [v for kind in principals.values() for v in kind]
    return set(principals) <= {"AWS"} and all(
        isinstance(v, Scalar) and account_of(str(v.value)) == OWN_ACCOUNT for v in values
    )


def _statement_identity(statement: Statement) -> str:
    """Which statement of its policy this is, without its position (a statement added
    above moves it): its Sid, else the resources it grants on, and its condition."""
    if statement.sid:
        key = f"Sid={statement.sid}"
    else:
        resources = statement.resources if statement.resources is not None else ()
        names = sorted(str(r.value) if isinstance(r, Scalar) else r.expression for r in resources)
        key = f"Resource={','.join(names)}"
        if statement.not_resources is not None:
            key += ";NotResource=" + ",".join(
                sorted(
                    str(r.value) if isinstance(r, Scalar) else r.expression
                    for r in statement.not_resources
                )
            )
    return f"{key};when={statement.when}" if statement.when else key


_READ_LEVELS = frozenset({"List", "Read"})


@lru_cache(maxsize=1024)  # policies repeat their patterns; describing one counts its actions
def _grade(action: object, every_resource: bool) -> tuple[Severity, str] | None:
    """The severity and description of one action, or None when it is not a wildcard."""
    if not isinstance(action, str):
        return None
    if action == "*":
        if every_resource:
            return Severity.CRITICAL, "* on every resource (full administrator access)"
        return Severity.HIGH, "* (every action)"
    if "*" not in action and "?" not in action:
        return None
    service, _, name = action.partition(":")
    if name == "*":
        return Severity.HIGH, f"{action} (every {service} action)"
    granted = catalog.get().expand(action)
    if not granted:
        return None  # grants nothing: unknown-action (IG006) reports it
    only_reads = all(a.access in _READ_LEVELS for a in granted)
    return (
        Severity.LOW if only_reads else Severity.MEDIUM,
        f"{action} (grants {catalog.describe(granted)})",
    )


def _beyond(value_when: str | None, statement_when: str | None) -> str | None:
    """The conditions of a value beyond those of its statement (named once, in the suffix)."""
    if not value_when:
        return None
    known = set(statement_when.split(" and ")) if statement_when else set()
    extra = [part for part in value_when.split(" and ") if part not in known]
    return " and ".join(extra) or None
