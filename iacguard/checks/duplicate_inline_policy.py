from __future__ import annotations

from iacguard.checks.base import Check, Context, ref_name, text_of
from iacguard.findings import Related, Severity
from iacguard.model import Location, Model, Policy, PrincipalRef, Scalar, Statement, Value

# Copies a message names, and copies listed as related locations: a policy copied into
# hundreds of modules would otherwise cost each finding hundreds of entries.
_NAMED = 3
_RELATED = 10


class DuplicateInlinePolicy(Check):
    """The same inline policy is embedded in two or more principals.

    ## What it does
    Compares the inline policies of every user, group, role and permission set (a policy
    document a Terraform policy uses by reference counts as written in it) after
    normalising them: statement order, the order of values in a list, the case of action
    names and condition keys, a single value against a one-element list, and `Sid`s do not
    matter. Each copy is reported, naming the others; an `AWS::IAM::Policy` that lists
    several principals is one copy embedded in each of them.

    ## Why is this bad?
    Inline policies are for a strict one-to-one relationship between a policy and its
    principal. A copied inline policy drifts: the next change lands in one copy and not in
    the others, and nobody can see from the policy list who holds it. A customer managed
    policy attached to a group or to each role is written, versioned and reviewed once.

    ## Example
    ```yaml
    Resources:
      Alice:
        Type: AWS::IAM::User
        Properties:
          Policies:
            - PolicyName: read-reports
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: arn:aws:s3:::acme-reports/*
      Bob:
        Type: AWS::IAM::User
        Properties:
          Policies:
            - PolicyName: reports
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: [S3:GetObject]
                    Resource: [arn:aws:s3:::acme-reports/*]
    ```

    ```hcl
    resource "aws_iam_role_policy" "api_reports" {
      role = aws_iam_role.api.id
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = "arn:aws:s3:::acme-reports/*"
        }]
      })
    }

    resource "aws_iam_role_policy" "worker_reports" {
      role = aws_iam_role.worker.id
      policy = jsonencode({
        Statement = [{
          Resource = ["arn:aws:s3:::acme-reports/*"]
          Action   = ["S3:GetObject"]
          Effect   = "Allow"
        }]
      })
    }
    ```

    ## Use instead
    ```yaml
    Resources:
      ReadReports:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-reports/*
      Analysts:
        Type: AWS::IAM::Group
        Properties:
          ManagedPolicyArns: [!Ref ReadReports]
    ```

    ```hcl
    resource "aws_iam_policy" "read_reports" {
      policy = jsonencode({
        Statement = [{
          Effect   = "Allow"
          Action   = "s3:GetObject"
          Resource = "arn:aws:s3:::acme-reports/*"
        }]
      })
    }

    resource "aws_iam_role_policy_attachment" "api_reports" {
      role       = aws_iam_role.api.name
      policy_arn = aws_iam_policy.read_reports.arn
    }

    resource "aws_iam_role_policy_attachment" "worker_reports" {
      role       = aws_iam_role.worker.name
      policy_arn = aws_iam_policy.read_reports.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html
    """

    id = "IG017"
    slug = "duplicate-inline-policy"
    severity = Severity.LOW
    summary = "The same inline policy is embedded in two or more principals"

    def model(self, model: Model, ctx: Context) -> None:
        permissions = ctx.permissions(model)
        copies: dict[tuple[object, ...], list[Policy]] = {}
        seen: set[tuple[str, str, Location]] = set()
        for policy in model.policies:
            if policy.kind != "inline" or not policy.embedded_in:
                continue
            # one policy read twice (from a plan and from the .tf files it was made from)
            # is not two copies of it
            where = (policy.scope, policy.address, policy.location)
            if where in seen:
                continue
            seen.add(where)
            statements = permissions.statements(policy)
            if statements:
                key = tuple(sorted(_normalised(s) for s in statements))
                copies.setdefault(key, []).append(policy)
        for group in copies.values():
            owners = {_identity(ref) for policy in group for ref in policy.embedded_in}
            if len(owners) < 2:
                continue
            for policy in group:
                _report(policy, [p for p in group if p is not policy], ctx)


def _report(policy: Policy, others: list[Policy], ctx: Context) -> None:
    name = text_of(policy.name, policy.address)
    owners = _owners(policy)
    if others:
        listed = "; ".join(f"{_describe(o)} ({_where(o, policy)})" for o in others[:_NAMED])
        if len(others) > _NAMED:
            listed += f" and {len(others) - _NAMED} more"
        message = f"Inline policy {name} of {owners} has the same statements as {listed}"
    else:
        message = f"Inline policy {name} is embedded in each of {owners}"
    ctx.report(
        policy.location,
        f"{message}; make it one customer managed policy and attach it where it is needed",
        resource=policy.address,
        resource_type=policy.resource_type,
        element=name,
        scope=policy.scope,
        related=tuple(
            Related(o.location, f"same statements: {_describe(o)}") for o in others[:_RELATED]
        ),
    )


def _where(other: Policy, policy: Policy) -> str:
    at = other.location
    return f"line {at.line}" if at.file == policy.location.file else f"{at.file}:{at.line}"


def _describe(policy: Policy) -> str:
    return f"inline policy {text_of(policy.name, policy.address)} of {_owners(policy)}"


def _owners(policy: Policy) -> str:
    return ", ".join(f"{ref.kind.replace('_', ' ')} {ref_name(ref)}" for ref in policy.embedded_in)


def _identity(ref: PrincipalRef) -> tuple[str, str, str]:
    return (ref.scope, ref.kind, ref.target or f"name:{text_of(ref.name)}")


def _values(values: tuple[Value, ...] | None, fold: bool = False) -> tuple[str, ...]:
    if values is None:
        return ("\0absent",)  # sorts with the tuples of present keys
    texts = {_text(v).lower() if fold else _text(v) for v in values}
    return tuple(sorted(texts))


def _text(value: Value) -> str:
    return str(value.value) if isinstance(value, Scalar) else f"${{{value.expression}}}"


def _normalised(statement: Statement) -> tuple[object, ...]:
    """A statement as IAM reads it: what a Sid, order, case or list shape cannot change."""
    principals = tuple(
        (kind, _values(values))
        for field in (statement.principals, statement.not_principals)
        for kind, values in sorted((field or {}).items())
    )
    conditions = tuple(
        sorted((c.operator.lower(), c.key.lower(), _values(c.values)) for c in statement.conditions)
    )
    return (
        _values(statement.effect),
        _values(statement.actions, fold=True),
        _values(statement.not_actions, fold=True),
        _values(statement.resources),
        _values(statement.not_resources),
        statement.principals is None,
        principals,
        conditions,
    )
