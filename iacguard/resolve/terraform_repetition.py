"""Repeated blocks: the instances of ``count`` and ``for_each``, and ``dynamic`` blocks.

A resource is one model object whatever its number of instances; an expression that
uses ``each``/``count`` is evaluated once per instance (see ``Evaluator.value``), each
result tagged with its instance (``each.key is "admin"``). Zero instances means the block
does not exist; instances that cannot be known leave ``each``/``count`` unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iacguard.model import Scalar, Unknown
from iacguard.records import dataclass
from iacguard.resolve.hcl import Block, Expr
from iacguard.resolve.terraform_expressions import is_number
from iacguard.resolve.terraform_values import Located, TfValue, scalars, text_of

if TYPE_CHECKING:
    from iacguard.resolve.terraform import Evaluator
    from iacguard.resolve.terraform_scope import Scope

MAX_INSTANCES = 32


@dataclass(frozen=True)
class Repetition:
    """The instances of a block with ``count``/``for_each``: bindings and a label each;
    ``instances`` is None when they cannot be known (``unknown`` says why)."""

    instances: tuple[tuple[dict[str, TfValue], str], ...] | None
    unknown: Unknown | None = None


def repetition(evaluator: Evaluator, block: Block, scope: Scope) -> Repetition | None:
    """The instances of ``block``; ``Repetition(())`` when it has none (count = 0)."""
    if "count" in block.attributes:
        return _count(evaluator, block.attributes["count"].expr, scope)
    if "for_each" in block.attributes:
        return _for_each(evaluator, block.attributes["for_each"].expr, scope)
    return None


def _count(evaluator: Evaluator, expr: Expr, scope: Scope) -> Repetition:
    values = scalars(evaluator.value(expr, scope))
    counts = [v.value for v in values if isinstance(v, Scalar)]
    if len(values) == 1 and len(counts) == 1 and is_number(counts[0]):
        number = int(float(counts[0]))
        if number <= MAX_INSTANCES:
            return Repetition(
                tuple(
                    (
                        {"count": Located({"index": Located(i, expr.location)}, expr.location)},
                        f"count.index is {i}",
                    )
                    for i in range(number)
                )
            )
        why = f"count is {number}; instances are not evaluated one by one"
        return Repetition(None, Unknown(expr.text, why, expr.location))
    if counts and all(is_number(c) and int(float(c)) == 0 for c in counts):
        return Repetition(())
    unknown = next((v for v in values if isinstance(v, Unknown)), None)
    if unknown is not None:
        why = unknown.why
    elif len(counts) > 1:
        why = "count is " + ", ".join(
            f"{v.value} if {v.when}" if v.when else str(v.value)
            for v in values
            if isinstance(v, Scalar)
        )
    else:
        why = "count is not a number"
    return Repetition(None, Unknown(expr.text, f"count cannot be resolved: {why}", expr.location))


def _for_each(evaluator: Evaluator, expr: Expr, scope: Scope) -> Repetition:
    value = evaluator.value(expr, scope)
    if isinstance(value, Located) and isinstance(value.value, (dict, list)):
        entries = (
            list(value.value.items())
            if isinstance(value.value, dict)
            else [(text_of(v), v) for v in value.value]
        )
        if len(entries) > MAX_INSTANCES:
            why = f"for_each has {len(entries)} elements; they are not evaluated one by one"
            return Repetition(None, Unknown(expr.text, why, expr.location))
        instances: list[tuple[dict[str, TfValue], str]] = []
        for key, item in entries:
            each = Located({"key": Located(key, item.location), "value": item}, expr.location)
            instances.append(({"each": each}, f'each.key is "{key}"'))
        return Repetition(tuple(instances))
    why = value.why if isinstance(value, Unknown) else "for_each is not a map or set"
    return Repetition(
        None, Unknown(expr.text, f"for_each cannot be resolved: {why}", expr.location)
    )


def nested(
    evaluator: Evaluator, block: Block, kind: str, scope: Scope
) -> tuple[list[tuple[Block, Scope]], list[Unknown]]:
    """Nested blocks of ``kind`` with their scopes, ``dynamic "kind"`` blocks expanded;
    and the ``dynamic`` blocks whose ``for_each`` cannot be resolved."""
    found: list[tuple[Block, Scope]] = []
    unknowns: list[Unknown] = []
    for child in block.blocks:
        if child.type == kind:
            found.append((child, scope))
        elif child.type == "dynamic" and child.labels == (kind,):
            expanded = _expand(evaluator, child, kind, scope)
            if isinstance(expanded, Unknown):
                unknowns.append(expanded)
            else:
                found.extend(expanded)
    return found, unknowns


def _expand(
    evaluator: Evaluator, dynamic: Block, kind: str, scope: Scope
) -> list[tuple[Block, Scope]] | Unknown:
    content = next(iter(dynamic.children("content")), None)
    each = dynamic.attributes.get("for_each")
    if content is None or each is None:
        return []
    iterator = dynamic.attributes.get("iterator")
    name = iterator.expr.text if iterator is not None else kind
    collection = evaluator.value(each.expr, scope)
    if not (isinstance(collection, Located) and isinstance(collection.value, (list, dict))):
        why = collection.why if isinstance(collection, Unknown) else "not a collection"
        return Unknown(each.expr.text, f"dynamic block for_each: {why}", each.location)
    entries = (
        list(collection.value.items())
        if isinstance(collection.value, dict)
        else list(enumerate(collection.value))
    )
    expanded = []
    for key, item in entries:
        bound = Located({"key": Located(key, item.location), "value": item}, content.location)
        expanded.append((content, scope.bind(**{name: bound})))
    return expanded
