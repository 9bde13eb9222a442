"""Whether a role can change things: write or permissions-management access, told from
its inline policies, the customer managed policies in the scan attached to it, and the
names of the AWS managed policies attached to it.

A simple reading of action names until the action catalog lands: an action grants
write unless its name starts with a read verb (``Get``, ``List``, ``Describe``…);
``*``, ``service:*`` and ``NotAction`` grant write. AWS managed policies write unless
their name says read-only or view-only.
"""

from __future__ import annotations

from iacguard.checks.access import Documents, allows, statements_of
from iacguard.checks.base import Context
from iacguard.model import Model, PrincipalRef, Scalar, Statement, Unknown

_READ_VERBS = (
    "get",
    "list",
    "describe",
    "head",
    "search",
    "query",
    "scan",
    "select",
    "batchget",
    "lookup",
    "view",
    "receive",
    "read",
    "check",
    "validate",
    "estimate",
    "preview",
)


def writes(action: str) -> bool:
    """Whether an action name (or pattern) grants more than reading."""
    name = action.lower().partition(":")[2] if ":" in action else action.lower()
    if not name or name.startswith(("*", "?")):
        return True
    return not name.startswith(_READ_VERBS)


def statement_writes(statement: Statement) -> bool:
    if statement.not_actions is not None:
        return True
    return any(isinstance(a, Scalar) and writes(str(a.value)) for a in statement.actions or ())


def role_writes(model: Model, role: PrincipalRef, known: Documents, ctx: Context) -> bool:
    """Whether the role has write or permissions-management access."""

    def is_role(ref: PrincipalRef) -> bool:
        return ref.target == role.target and ref.scope == role.scope

    managed = {(p.scope, p.address): p for p in model.policies if p.kind == "managed"}
    policies = [
        p for p in model.policies if p.kind == "inline" and any(is_role(r) for r in p.embedded_in)
    ]
    for attachment in model.attachments:
        if not is_role(attachment.principal):
            continue
        target = (role.scope, attachment.policy_target or "")
        if target in managed:
            policies.append(managed[target])
        elif isinstance(attachment.policy, Scalar):
            name = str(attachment.policy.value).rsplit("/", 1)[-1].lower()
            if "readonly" not in name and "viewonly" not in name:
                return True
        elif isinstance(attachment.policy, Unknown):
            where = role.target or "?"
            ctx.unknown(attachment.policy, where)
    return any(
        allows(statement, policy, ctx) and statement_writes(statement)
        for policy in policies
        for statement in statements_of(policy, known)
    )
