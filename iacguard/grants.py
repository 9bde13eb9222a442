"""What a statement grants, through the action catalog: the shared reading of the
least-privilege rules (IG006 to IG009, IG002's grading). Rules ask here which actions a
statement allows and whether its resources are unscoped; they decide what to report."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from iacguard import catalog
from iacguard.catalog import Action
from iacguard.conditions import restriction
from iacguard.model import Location, Policy, Scalar, Statement, Unknown
from iacguard.records import dataclass

if TYPE_CHECKING:
    from iacguard.checks.base import Context

# Identity policies: what a principal may do. Trust policies say who may become the role.
IDENTITY_KINDS = frozenset({"inline", "managed", "document"})
# Keys that scope a statement to particular resources, whatever the service.
RESOURCE_KEYS = (
    "aws:ResourceTag/",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
)


@dataclass(frozen=True, slots=True)
class Grant:
    """One ``Action`` entry (or the ``NotAction`` list, ``entry`` = ``NotAction``) and the
    catalog actions it grants."""

    entry: str
    location: Location
    actions: tuple[Action, ...]
    when: str | None = None


def allows(statement: Statement, policy: Policy, ctx: Context) -> bool:
    """Whether the statement is an ``Allow``; an unresolved effect is recorded, not guessed."""
    allow = False
    for effect in statement.effect:
        if isinstance(effect, Unknown):
            ctx.unknown(effect, policy.address, "Effect cannot be resolved")
        elif effect.value == "Allow":
            allow = True
    return allow


def grants(statement: Statement, policy: Policy, ctx: Context) -> list[Grant]:
    """Every entry of the statement with the actions it grants. ``NotAction`` grants the
    catalog's complement, and only when every entry of it is known."""
    cat = catalog.get()
    found: list[Grant] = []
    for value in statement.actions or ():
        if isinstance(value, Unknown):
            ctx.unknown(value, policy.address)
        elif isinstance(value.value, str):
            found.append(Grant(value.value, value.location, cat.expand(value.value), value.when))
    if statement.not_actions is not None:
        listed = _known_texts(statement.not_actions, policy, ctx)
        if listed is not None:
            location = statement.action_location or statement.location
            found.append(Grant("NotAction", location, cat.complement(listed)))
    return found


def grants_name(statement: Statement, policy: Policy, ctx: Context, name: str) -> Scalar | None:
    """The entry by which the statement grants the action ``name`` (by name, wildcard, or
    the ``NotAction`` element, located at it), without expanding the catalog; None when it
    does not grant it."""
    for value in statement.actions or ():
        if isinstance(value, Scalar) and catalog.matches(str(value.value), name):
            return value
    if statement.not_actions is not None:
        listed = _known_texts(statement.not_actions, policy, ctx)
        if listed is not None and not any(catalog.matches(p, name) for p in listed):
            return Scalar("NotAction", statement.action_location or statement.location)
    return None


def unscoped(statement: Statement, action: Action) -> str | None:
    """How the statement leaves ``action`` unscoped (``Resource "*"``, ``NotResource``),
    or None when a resource narrows it or the action cannot be narrowed at all."""
    if not action.resource_level:
        return None
    if statement.not_resources is not None:
        return "NotResource"
    return next(
        (f'Resource "{t}"' for t in _resource_texts(statement) if catalog.covers_every(t, action)),
        None,
    )


def unscoped_actions(statement: Statement, actions: Iterable[Action]) -> dict[Action, str]:
    """``unscoped`` for many actions: each ARN template is judged once per statement, so
    the thousands of actions of a ``NotAction`` cost a lookup each."""
    if statement.not_resources is not None:
        return {a: "NotResource" for a in actions if a.resource_level}
    texts = _resource_texts(statement)
    verdicts: dict[str, str | None] = {}
    found: dict[Action, str] = {}
    for action in actions:
        for template in action.resource_types:
            if template not in verdicts:
                verdicts[template] = next(
                    (f'Resource "{t}"' for t in texts if catalog.covers(t, template)), None
                )
            how = verdicts[template]
            if how is not None:
                found[action] = how
                break
    return found


def _resource_texts(statement: Statement) -> list[str]:
    """The resources as text: literals, and ARNs unresolved only in their account."""
    return [
        text
        for value in statement.resources or ()
        if (text := str(value.value) if isinstance(value, Scalar) else _arn_template(value))
    ]


# The ARN of one resource of a Terraform configuration: `aws_s3_bucket.reports.arn` (also
# as the start of `"${aws_s3_bucket.reports.arn}/*"`).
_ONE_RESOURCE = re.compile(r"\$?\{?(data\.)?aws_\w+\.[\w-]+(\[[^\]]*\])?\.arn\b")


def _one_resource(value: Unknown) -> bool:
    """A resource that names one resource of the configuration is scoped, unresolved or
    not: CloudFormation's reader says which (``!GetAtt Bucket.Arn`` of a resource the
    template creates, and strings built from it)."""
    return value.names is not None or _ONE_RESOURCE.match(value.expression) is not None


def _arn_template(value: Unknown) -> str | None:
    """An ARN that is unresolved only in its partition, region or account
    (``arn:aws:iam::${var.account}:role/*``) is as scoped as its resource part says."""
    parts = value.expression.split(":", 5)
    if len(parts) < 6 or parts[0].lower() != "arn" or "${" in parts[2] + parts[5]:
        return None
    return value.expression


def unresolved_resources(statement: Statement, policy: Policy, ctx: Context) -> bool:
    """Record resources that cannot be resolved; True when there are any (the statement
    might be unscoped, so it is neither a pass nor a finding)."""
    unknown = [
        v
        for v in statement.resources or ()
        if isinstance(v, Unknown) and not _arn_template(v) and not _one_resource(v)
    ]
    for value in unknown:
        ctx.unknown(value, policy.address, "Resource cannot be resolved")
    return bool(unknown)


def scoping_keys(actions: Iterable[Action]) -> tuple[str, ...]:
    """The condition keys that narrow ``actions`` to particular resources: the global
    resource keys and every service key the catalog lists for them. A key with a ``/``
    is a family (``s3:BucketTag/${TagKey}``, ``ssm:resourceTag/tag-key``): its prefix."""
    keys = dict.fromkeys(RESOURCE_KEYS)
    for action in actions:
        for key in action.condition_keys:
            family, slash, _ = key.partition("/")
            keys[family + slash if slash else key] = None
    return tuple(keys)


def unrestricted(
    statement: Statement, policy: Policy, ctx: Context, actions: Iterable[Action]
) -> bool:
    """Whether no condition scopes ``actions`` to particular resources. A condition that
    might, but cannot be resolved, is recorded and counts as neither (False)."""
    verdict = restriction(statement.conditions, scoping_keys(actions))
    for value in verdict.unresolved if not verdict.restricts else ():
        ctx.unknown(value, policy.address, "a condition that may scope it is unresolved")
    return not verdict.restricts and not verdict.unresolved


def entries(grants_: Iterable[Grant], actions: Iterable[Action]) -> str:
    """The entries, as written, that grant any of ``actions`` (for messages)."""
    wanted = set(actions)
    shown = [g.entry for g in grants_ if wanted.intersection(g.actions)]
    return ", ".join(dict.fromkeys(shown))


def only_if(statement: Statement, when: str | None = None) -> str:
    """The message suffix for a statement or an entry that exists only under a condition
    (a branch of ``Fn::If``)."""
    when = when or statement.when
    return f" (only if {when})" if when else ""


def _known_texts(
    values: Iterable[Scalar | Unknown], policy: Policy, ctx: Context
) -> list[str] | None:
    texts: list[str] = []
    complete = True
    for value in values:
        if isinstance(value, Unknown):
            ctx.unknown(value, policy.address, "NotAction cannot be resolved")
            complete = False
        else:
            texts.append(str(value.value))
    return texts if complete else None
