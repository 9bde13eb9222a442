"""Who a policy lets in: the principals of trust and resource policies, read from the model.

Shared by the trust and resource-policy rules (IG010 to IG013). A policy that takes its
statements from a ``document`` (``data.aws_iam_policy_document.x.json``) is judged with
that document's statements, located where they are written and reported for the policy
that uses them (the role, the bucket policy).
"""

from __future__ import annotations

from collections.abc import Iterator

from iacguard import catalog
from iacguard.checks.base import Context
from iacguard.findings import Related
from iacguard.model import (
    OWN_ACCOUNT,
    Location,
    Model,
    Policy,
    Scalar,
    Statement,
    Unknown,
    Value,
)
from iacguard.records import dataclass

# Condition keys that pin who the principal is (rules.md, IG010).
WHO_KEYS = (
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "sts:ExternalId",
)


Documents = dict[tuple[str, str], Policy]


def documents(model: Model) -> Documents:
    """The policy documents of a model by (scope, address)."""
    return {(p.scope, p.address): p for p in model.policies if p.kind == "document"}


def statements_of(policy: Policy, known: Documents) -> Iterator[Statement]:
    """The statements of ``policy`` and of the documents it uses (through their own uses)."""
    seen: set[str] = set()
    pending = [policy]
    while pending:
        current = pending.pop(0)
        yield from current.statements
        for address in current.uses:
            document = known.get((current.scope, address))
            if address not in seen and document is not None:
                seen.add(address)
                pending.append(document)


def used_by(policy: Policy, statement: Statement) -> tuple[Related, ...]:
    """Where a statement written in a document is used: the policy that takes it."""
    if any(s is statement for s in policy.statements):
        return ()
    return (Related(policy.location, f"the document is used here, by {policy.address}"),)


def grants(statement: Statement, action: str) -> bool:
    """Whether the statement's ``Action`` (or ``NotAction``) can grant ``action``."""
    if statement.not_actions is not None:
        return not any(
            isinstance(a, Scalar) and catalog.matches(str(a.value), action)
            for a in statement.not_actions
        )
    return any(
        isinstance(a, Scalar) and catalog.matches(str(a.value), action)
        for a in statement.actions or ()
    )


def may_grant(statement: Statement, action: str, policy: Policy, ctx: Context) -> bool:
    """``grants``, recording the actions that cannot be resolved when none grants it."""
    if grants(statement, action):
        return True
    for value in statement.actions or statement.not_actions or ():
        if isinstance(value, Unknown):
            ctx.unknown(value, policy.address)
    return False


def principal_values(statement: Statement, *kinds: str) -> list[Value]:
    """The principals of the given types (``AWS``, ``Federated``…); a bare ``Principal``
    value (kind ``*``) counts for every type."""
    principals = statement.principals or {}
    return [v for kind in (*kinds, "*") for v in principals.get(kind, ())]


@dataclass(frozen=True, slots=True)
class Anyone:
    """A principal that lets anyone in, where it is written and how a message shows it."""

    location: Location
    shown: str
    when: str | None


def anyone(statement: Statement, policy: Policy, ctx: Context) -> list[Anyone]:
    """The principals of a statement that admit anyone: ``*`` (bare or under ``AWS``),
    an ARN whose account is a wildcard, or a ``NotPrincipal``."""
    found: list[Anyone] = []
    if statement.not_principals is not None:
        where = statement.principal_location or statement.location
        found.append(Anyone(where, "NotPrincipal", statement.when))
    for value in principal_values(statement, "AWS"):
        if isinstance(value, Unknown):
            if value.names is None:  # a principal the template creates is one principal
                ctx.unknown(value, policy.address)
            continue
        text = str(value.value)
        if text == "*":
            found.append(Anyone(value.location, '"*"', value.when))
        elif account_of(text) is not None and _wildcard(account_of(text) or ""):
            found.append(Anyone(value.location, text, value.when))
    return found


def account_of(principal: str) -> str | None:
    """The account an AWS principal names (``123456789012``, an ARN's account, ``*``),
    ``OWN_ACCOUNT`` for the deploying account, None for a principal that names none."""
    text = principal.strip()
    if text.startswith("arn:"):
        parts = text.replace(OWN_ACCOUNT, "\0").split(":")  # the placeholder has colons
        account = parts[4] if len(parts) > 5 else None
        return OWN_ACCOUNT if account == "\0" else account
    if text == OWN_ACCOUNT or (text.isdigit() and len(text) == 12):
        return text
    return None


def _wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def statement_key(statement: Statement) -> str:
    """Which statement of its policy this is, for fingerprints, without its position (a
    statement added above must not move it): its Sid, else whom and what it allows."""
    if statement.sid:
        return f"Sid={statement.sid}"

    def names(values: tuple[Value, ...]) -> str:
        shown = (str(v.value) if isinstance(v, Scalar) else v.expression for v in values)
        return ",".join(sorted(shown))

    principals = statement.principals or statement.not_principals or {}
    who = ";".join(f"{kind}={names(values)}" for kind, values in sorted(principals.items()))
    return f"{who};Action={names(statement.actions or statement.not_actions or ())}"


def suffix(when: str | None) -> str:
    return f" (only if {when})" if when else ""


def who_restricts(
    statement: Statement, policy: Policy, ctx: Context, keys: tuple[str, ...]
) -> bool:
    """Whether a condition pins who may use the statement through ``keys``; when only
    unresolved values could, they are recorded and the statement is not judged."""
    from iacguard.conditions import restriction

    found = restriction(statement.conditions, keys, _names_who)
    if found.restricts:
        return True
    for unknown in found.unresolved:
        ctx.unknown(unknown, policy.address)
    return bool(found.unresolved)


def _names_who(key: str, value: str) -> bool:
    """``aws:PrincipalArn`` pins only with a concrete account (not ``arn:aws:iam::*:role/x``)."""
    if key.lower() == "aws:principalarn":
        account = account_of(value)
        return account is not None and not _wildcard(account) and account != ""
    return True
