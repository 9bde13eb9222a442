"""Expressions that compute values: literals, templates, collections, operators,
conditionals and ``for``. (References, which find values elsewhere in the
configuration, are the evaluator's own: ``iacguard.resolve.terraform``.)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from iacguard.model import Scalar, Unknown, Value
from iacguard.resolve.hcl import (
    Binary,
    Conditional,
    Expr,
    ForExpr,
    Literal,
    ObjectExpr,
    Opaque,
    Template,
    TupleExpr,
    Unary,
)
from iacguard.resolve.limits import check_size
from iacguard.resolve.node import join_when
from iacguard.resolve.terraform_text import concatenate
from iacguard.resolve.terraform_values import (
    Choice,
    Located,
    TfValue,
    choice,
    is_plain,
    options,
    plain,
    scalars,
    size_of,
    when_of,
    with_when,
)

if TYPE_CHECKING:
    from iacguard.resolve.terraform import Evaluator
    from iacguard.resolve.terraform_scope import Scope

MAX_COMBINATIONS = 64


def literal(evaluator: Evaluator, expr: Literal, scope: Scope) -> TfValue:
    return Located(expr.value, expr.location, text_map=expr.text_map)


def template(evaluator: Evaluator, expr: Template, scope: Scope) -> TfValue:
    parts = [evaluator.known(p, scope) for p in expr.parts]
    return concatenate(parts, expr, MAX_COMBINATIONS, evaluator.charge)


def tuple_(evaluator: Evaluator, expr: TupleExpr, scope: Scope) -> TfValue:
    return Located([evaluator.known(i, scope) for i in expr.items], expr.location)


def object_(evaluator: Evaluator, expr: ObjectExpr, scope: Scope) -> TfValue:
    entries: dict[str, TfValue] = {}
    for key_expr, value_expr in expr.items:
        key = evaluator.known(key_expr, scope)  # a bare name is a literal key already
        if not (isinstance(key, Located) and isinstance(key.value, (str, int, float, bool))):
            why = key.why if isinstance(key, Unknown) else "an object key must be a string"
            return Unknown(expr.text, why, expr.location)
        entries[string(key.value)] = evaluator.known(value_expr, scope)
    return Located(entries, expr.location)


def conditional(evaluator: Evaluator, expr: Conditional, scope: Scope) -> TfValue:
    """The branch the condition picks; both, each tagged, when it cannot be known."""
    results: list[TfValue] = []
    for condition in scalars(evaluator.known(expr.condition, scope)):
        truth = _truth(condition)
        if truth is None:
            text = expr.condition.text
            results.append(with_when(evaluator.known(expr.then, scope), f"{text} is true"))
            results.append(with_when(evaluator.known(expr.other, scope), f"{text} is false"))
        else:
            branch = evaluator.known(expr.then if truth else expr.other, scope)
            results.append(with_when(branch, condition.when))
    return choice(results, expr.location)


def for_(evaluator: Evaluator, expr: ForExpr, scope: Scope) -> TfValue:
    collection = evaluator.known(expr.collection, scope)
    if not (isinstance(collection, Located) and isinstance(collection.value, (list, dict))):
        return unknown_from(collection, expr)
    entries = (
        list(collection.value.items())
        if isinstance(collection.value, dict)
        else list(enumerate(collection.value))
    )
    listed: list[TfValue] = []
    mapped: dict[str, TfValue] = {}
    size = 0
    for key, item in entries:
        names: dict[str, TfValue] = {expr.value_var: item}
        if expr.key_var:
            names[expr.key_var] = Located(key, item.location)
        inner = scope.bind(**names)
        if expr.condition is not None:
            truth = [_truth(v) for v in scalars(evaluator.known(expr.condition, inner))]
            if truth and all(t is False for t in truth):
                continue
            if not truth or any(t is None for t in truth):
                return Unknown(expr.text, "the for condition cannot be resolved", expr.location)
        value = evaluator.known(expr.value, inner)
        size += size_of(value)
        check_size(size)  # before the next iteration, not after all of them
        if expr.key is None:
            listed.append(value)
            continue
        key_value = evaluator.known(expr.key, inner)
        if not (isinstance(key_value, Located) and isinstance(key_value.value, (str, int, float))):
            why = "a key of the for expression cannot be resolved"
            return Unknown(expr.text, why, expr.location)
        name = string(key_value.value)
        if expr.grouping:
            group = mapped.setdefault(name, Located([], expr.location))
            assert isinstance(group, Located)
            group.value.append(value)
        else:
            mapped[name] = value
    return Located(listed if expr.key is None else mapped, expr.location)


def opaque(evaluator: Evaluator, expr: Opaque, scope: Scope) -> TfValue:
    return Unknown(expr.text, expr.why, expr.location)


# -- operators -----------------------------------------------------------------------------


def binary(evaluator: Evaluator, expr: Binary, scope: Scope) -> TfValue:
    left = evaluator.known(expr.left, scope)
    if expr.operator in ("&&", "||") and is_plain(left):
        truth = _truth_of(plain(left))
        if truth is (expr.operator == "||"):  # short-circuit: the right side does not matter
            return Located(truth, expr.location)
    right = evaluator.known(expr.right, scope)
    operation = _OPERATORS.get(expr.operator)
    results: list[TfValue] = []
    pairs = itertools.product(options(left), options(right))
    for a, b in itertools.islice(pairs, MAX_COMBINATIONS):
        when = join_when(when_of(a), when_of(b))
        if operation is None or not (is_plain(a) and is_plain(b)):
            unknown = next((v for v in (a, b) if isinstance(v, Unknown)), None)
            why = unknown.why if unknown else f"operator {expr.operator} is not evaluated here"
            results.append(Unknown(expr.text, why, expr.location, when))
            continue
        try:
            results.append(Located(operation(plain(a), plain(b)), expr.location, when))
        except (TypeError, ValueError, ZeroDivisionError):
            why = "the operands do not fit the operator"
            results.append(Unknown(expr.text, why, expr.location, when))
    return choice(results, expr.location)


def unary(evaluator: Evaluator, expr: Unary, scope: Scope) -> TfValue:
    results: list[TfValue] = []
    for value in options(evaluator.known(expr.operand, scope)):
        when = when_of(value)
        if not is_plain(value):
            why = value.why if isinstance(value, Unknown) else "cannot be resolved"
            results.append(Unknown(expr.text, why, expr.location, when))
            continue
        data = plain(value)
        try:
            result: Any = (not _bool(data)) if expr.operator == "!" else _number(-float(data))
        except (TypeError, ValueError):
            why = "the operand does not fit the operator"
            results.append(Unknown(expr.text, why, expr.location, when))
            continue
        results.append(Located(result, expr.location, when))
    return choice(results, expr.location)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: float(a) < float(b),
    ">": lambda a, b: float(a) > float(b),
    "<=": lambda a, b: float(a) <= float(b),
    ">=": lambda a, b: float(a) >= float(b),
    "+": lambda a, b: _number(float(a) + float(b)),
    "-": lambda a, b: _number(float(a) - float(b)),
    "*": lambda a, b: _number(float(a) * float(b)),
    "/": lambda a, b: _number(float(a) / float(b)),
    "%": lambda a, b: _number(float(a) % float(b)),
    "&&": lambda a, b: _bool(a) and _bool(b),
    "||": lambda a, b: _bool(a) or _bool(b),
}


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _bool(value: Any) -> bool:
    truth = _truth_of(value)
    if truth is None:
        raise TypeError("not a bool")
    return truth


# -- helpers -------------------------------------------------------------------------------


def lookup(base: TfValue, key: TfValue, expr: Expr) -> TfValue:
    """``base[key]`` for a list or a map."""
    if isinstance(base, Choice):
        found = [with_when(lookup(o, key, expr), o.when) for o in options(base)]
        return choice(found, expr.location)
    if not isinstance(base, Located):
        return unknown_from(base, expr)
    if not (isinstance(key, Located) and isinstance(key.value, (str, int, float))):
        return Unknown(expr.text, "the index cannot be resolved", expr.location)
    container, wanted = base.value, key.value
    if isinstance(container, list) and is_number(wanted):
        position = int(float(wanted))
        if 0 <= position < len(container):
            return container[position]
    if isinstance(container, dict) and string(wanted) in container:
        return container[string(wanted)]
    return Unknown(expr.text, f"no element {string(wanted)}", expr.location)


def unknown_from(value: object, expr: Expr) -> Unknown:
    why = value.why if isinstance(value, Unknown) else "cannot be resolved"
    when = value.when if isinstance(value, Unknown) else None
    return Unknown(expr.text, why, expr.location, when)


def _truth(value: Value) -> bool | None:
    return _truth_of(value.value) if isinstance(value, Scalar) else None


def _truth_of(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    return None


def is_number(value: Any) -> bool:
    """A finite number, or a string that reads as one (``"nan"`` and ``1e999`` do not)."""
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value if isinstance(value, (int, float)) else str(value)))
    except (ValueError, OverflowError):
        return False


def string(value: Any) -> str:
    """A scalar as Terraform turns it into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
