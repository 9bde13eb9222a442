"""A Lambda permission as the policy statement AWS adds for it.

``aws_lambda_permission`` / ``AWS::Lambda::Permission`` is written as a handful of
properties, but AWS stores it as one statement of the function's resource policy:
``Principal`` from the principal (a service under ``Service``, an account, ARN or ``*``
under ``AWS``), ``aws:SourceArn``/``aws:SourceAccount``/``aws:PrincipalOrgID`` conditions
from ``source_arn``/``source_account``/``principal_org_id``. Reading it so lets the
resource-policy rules judge it like any other statement, in both formats alike.
"""

from __future__ import annotations

from iacguard.model import Condition, Location, Scalar, Statement, Value

# Each property that becomes a condition: (operator, condition key), as AWS writes them.
CONDITIONS = {
    "source_arn": ("ArnLike", "aws:SourceArn"),
    "source_account": ("StringEquals", "aws:SourceAccount"),
    "principal_org_id": ("StringEquals", "aws:PrincipalOrgID"),
}


def permission_statement(
    location: Location,
    action: Value | None,
    principal: Value | None,
    conditions: dict[str, Value | None],
) -> Statement:
    """The statement a Lambda permission adds; ``conditions`` by property name (the
    Terraform spelling: ``source_arn``…)."""
    statement = Statement(
        location=location,
        effect=(Scalar("Allow", location),),
        actions=(action,) if action is not None else None,
        action_location=action.location if action is not None else None,
    )
    if principal is not None:
        service = isinstance(principal, Scalar) and ".amazonaws.com" in str(principal.value)
        statement.principals = {"Service" if service else "AWS": (principal,)}
        statement.principal_location = principal.location
    statement.conditions = tuple(
        Condition(operator, key, (value,), value.location)
        for name, (operator, key) in CONDITIONS.items()
        if (value := conditions.get(name)) is not None
    )
    return statement
