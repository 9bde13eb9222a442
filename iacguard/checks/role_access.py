"""Whether a role can change things: write or permissions-management access, told from
its inline policies, the customer managed policies in the scan attached to it, and the
names of the AWS managed policies attached to it.

An action or pattern writes when the action catalog gives any action it matches the
Write or Permissions management access level; ``NotAction`` writes (it grants all but a
few). AWS managed policies are known by name only: they write unless their name says
read-only or view-only.
"""

from __future__ import annotations

from iacguard import catalog
from iacguard.checks.access import Documents, statements_of
from iacguard.checks.base import Context
from iacguard.grants import allows
from iacguard.model import Model, PrincipalRef, Scalar, Statement, Unknown

_WRITE_LEVELS = frozenset({"Write", "Permissions management"})


def writes(action: str) -> bool:
    """Whether an action name (or pattern) grants write or permissions management."""
    return any(a.access in _WRITE_LEVELS for a in catalog.get().expand(action))


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
