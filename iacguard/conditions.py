"""The one condition evaluator every rule uses: does a statement's ``Condition`` restrict it?

A condition restricts through a key only when (rules.md, "Conditions"):
- the key is one the rule cares about (case-insensitive; a listed key ending in ``/`` is a
  prefix, so ``aws:ResourceTag/`` covers ``aws:ResourceTag/team``);
- the operator is positive: ``StringEquals``, ``ArnLike``, ``Bool``… and ``ForAnyValue:`` of
  those. ``Not…`` operators, ``…IfExists`` (true when the key is absent), ``ForAllValues:``
  (true for an empty set) and ``Null`` never restrict;
- every value is concrete: not empty and not only wildcards. With several values the
  loosest counts, so one ``*`` among them makes the condition open.

Conditions are ANDed, so one restricting condition is enough. A relevant value that cannot
be resolved is neither a pass nor a finding: the rule records it as unresolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from iacguard.model import Condition, Scalar, Unknown
from iacguard.records import dataclass

_NEGATIVE_MARKERS = ("not", "ifexists")
_SET_PREFIXES = {"foranyvalue:": True, "forallvalues:": False}
_WILDCARDS = frozenset("*?")


@dataclass(frozen=True, slots=True)
class Restriction:
    """What a statement's conditions say for one rule."""

    restricts: bool
    by: Condition | None = None
    unresolved: tuple[Unknown, ...] = ()


def is_positive(operator: str) -> bool:
    """Whether a condition with this operator can only be true for the values it names."""
    name = operator.strip().lower()
    for prefix, restricts in _SET_PREFIXES.items():
        if name.startswith(prefix):
            if not restricts:
                return False
            name = name[len(prefix) :]
    if not name or name == "null":
        return False
    return not any(marker in name for marker in _NEGATIVE_MARKERS)


def concrete(value: str) -> bool:
    """Not empty and not only wildcards."""
    text = value.strip()
    return bool(text) and not set(text) <= _WILDCARDS


def key_matches(key: str, keys: Iterable[str]) -> bool:
    """``key`` is one of ``keys`` (case-insensitive); a listed key ending in ``/`` is a prefix."""
    wanted = key.strip().lower()
    for candidate in keys:
        listed = candidate.lower()
        if wanted == listed or (listed.endswith("/") and wanted.startswith(listed)):
            return True
    return False


def restriction(
    conditions: Iterable[Condition],
    keys: Iterable[str],
    value_ok: Callable[[str, str], bool] | None = None,
) -> Restriction:
    """Whether any condition restricts the statement through one of ``keys``.

    ``value_ok(key, value)`` adds the rule's own test of a value (an MFA ``Bool`` must be
    ``true``; ``aws:PrincipalArn`` must name a concrete account…).
    """
    keys = tuple(keys)
    unresolved: list[Unknown] = []
    for condition in conditions:
        if not key_matches(condition.key, keys) or not is_positive(condition.operator):
            continue
        verdict = _values_restrict(condition, value_ok)
        if verdict is True:
            return Restriction(True, condition)
        if verdict is None:
            unresolved.extend(
                v for v in condition.values if isinstance(v, Unknown) and v.names is None
            )
    return Restriction(False, None, tuple(dict.fromkeys(unresolved)))


def positive_values(conditions: Iterable[Condition], keys: Iterable[str]) -> list[Condition]:
    """The conditions with a positive operator on one of ``keys``, for rules that grade
    the values themselves (an OIDC subject, a trusted account)."""
    keys = tuple(keys)
    return [c for c in conditions if key_matches(c.key, keys) and is_positive(c.operator)]


def _values_restrict(
    condition: Condition, value_ok: Callable[[str, str], bool] | None
) -> bool | None:
    """True when every value is concrete (and ok); False when one is open; None when the
    known values restrict but some cannot be resolved. A value naming one resource of the
    configuration (``aws:SourceArn: !Ref Topic``) is a concrete ARN or name: restricting."""
    if not condition.values:
        return False
    unknown = False
    for value in condition.values:
        if isinstance(value, Unknown):
            unknown = unknown or value.names is None
            continue
        text = _text(value)
        if not concrete(text) or (value_ok is not None and not value_ok(condition.key, text)):
            return False
    return None if unknown else True


def _text(value: Scalar) -> str:
    if isinstance(value.value, bool):
        return "true" if value.value else "false"
    return str(value.value)
