"""Terraform's built-in functions and operators, on located values.

Only what policies are commonly built with; any other function is an explicit unknown.
Functions that pass elements through (``concat``, ``flatten``, ``toset``…) keep each
element's location, so a wildcard reached through ``concat(local.base, ["*"])`` is still
reported at the ``"*"``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.model import Unknown
from iacguard.resolve.hcl import Call, Expr
from iacguard.resolve.limits import TooLarge, check_size, check_string
from iacguard.resolve.node import join_when
from iacguard.resolve.terraform_scope import Scope
from iacguard.resolve.terraform_text import to_json_text
from iacguard.resolve.terraform_values import (
    DocumentRef,
    Located,
    TfValue,
    choice,
    is_plain,
    options,
    plain,
    when_of,
    with_when,
)
from iacguard.text_map import TextMap

if TYPE_CHECKING:
    from iacguard.resolve.terraform import Evaluator

MAX_COMBINATIONS = 64
_FORMAT_VERB = re.compile(r"%(%|[-+# 0]*\d*(?:\.\d+)?[sdvqft])")

Eager = Callable[[Call, list[TfValue], "Evaluator", "Scope"], TfValue]


def call(evaluator: Evaluator, expr: Call, scope: Scope) -> TfValue:
    name = expr.name
    if name == "try":
        for arg in expr.args:
            value = evaluator.known(arg, scope)
            if not isinstance(value, Unknown):
                return value
        return Unknown(expr.text, "no argument of try can be resolved", expr.location)
    if name == "can":  # true when the value is known; an unknown may or may not fail
        if len(expr.args) != 1:
            return Unknown(expr.text, "can() takes one argument", expr.location)
        value = evaluator.known(expr.args[0], scope)
        if isinstance(value, Unknown):
            return Unknown(expr.text, value.why, expr.location)
        return Located(True, expr.location)
    function = _FUNCTIONS.get(name)
    if function is None:
        return Unknown(expr.text, f"function {name}() is not evaluated", expr.location)
    args = [evaluator.known(a, scope) for a in expr.args]
    if expr.expand_last and args:
        last = args.pop()
        if not (isinstance(last, Located) and isinstance(last.value, list)):
            return _unknown(expr, last)
        args.extend(last.value)
    results: list[TfValue] = []
    alternatives = [list(options(a)) for a in args]
    for combo in itertools.islice(itertools.product(*alternatives), MAX_COMBINATIONS):
        unknown = next((a for a in combo if isinstance(a, (Unknown, DocumentRef))), None)
        when = join_when(*(when_of(a) for a in combo))
        if unknown is not None and name not in _PASS_UNKNOWN:
            results.append(with_when(_unknown(expr, unknown), when))
            continue
        try:
            result = function(expr, list(combo), evaluator, scope)
        except TooLarge as exc:
            result = Unknown(expr.text, exc.why, expr.location)
        except (TypeError, ValueError, LookupError, ArithmeticError, AttributeError):
            result = (
                _unknown(expr, unknown)  # say why the argument is unknown, not that it failed
                if unknown is not None
                else Unknown(
                    expr.text, f"{name}() cannot be evaluated on these values", expr.location
                )
            )
        results.append(with_when(result, when))
    return choice(results, expr.location)


def _unknown(expr: Expr, value: TfValue) -> Unknown:
    why = value.why if isinstance(value, Unknown) else "a policy document"
    return Unknown(expr.text, why, expr.location)


def _data(value: TfValue) -> Any:
    data = plain(value)
    if not is_plain(value):
        raise ValueError("not known")
    return data


def _list(value: TfValue) -> list[TfValue]:
    if isinstance(value, Located) and isinstance(value.value, list):
        return list(value.value)
    if isinstance(value, Located) and isinstance(value.value, dict):
        return list(value.value.values())
    raise TypeError("not a list")


def _at(expr: Expr, data: Any) -> Located:
    return Located(data, expr.location)


def _text(data: Any) -> str:
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, float) and data.is_integer():
        return str(int(data))
    if data is None or isinstance(data, (list, dict)):
        raise TypeError("not a string")
    return str(data)


# -- files ---------------------------------------------------------------------------------


def _read(expr: Call, path_value: TfValue, evaluator: Evaluator, scope: Scope) -> Located | Unknown:
    path = Path(_text(_data(path_value)))
    if not path.is_absolute():
        path = scope.instance.root / path
    try:
        text, text_map = evaluator.sources.read(path)
    except OSError as exc:
        return Unknown(expr.text, str(exc) or "the file cannot be read", expr.location)
    return Located(text, expr.location, text_map=text_map)


def _file(expr: Call, args: list[TfValue], evaluator: Evaluator, scope: Scope) -> TfValue:
    return _read(expr, args[0], evaluator, scope)


def _templatefile(expr: Call, args: list[TfValue], evaluator: Evaluator, scope: Scope) -> TfValue:
    content = _read(expr, args[0], evaluator, scope)
    if isinstance(content, Unknown):
        return content
    variables = args[1] if len(args) > 1 else Located({}, expr.location)
    if not (isinstance(variables, Located) and isinstance(variables.value, dict)):
        raise TypeError("templatefile variables must be an object")
    assert content.text_map is not None
    template = evaluator.sources.template(str(content.value), content.text_map, expr.location)
    inner = Scope(scope.instance, dict(variables.value), isolated=True)
    return evaluator.value(template, inner)


def _jsondecode(expr: Call, args: list[TfValue], evaluator: Evaluator, scope: Scope) -> TfValue:
    value = args[0]
    if not (isinstance(value, Located) and isinstance(value.value, str)):
        raise TypeError("jsondecode takes a string")
    text_map = value.text_map or TextMap.fixed(value.location)
    try:
        return evaluator.sources.json(value.value, text_map, value.holes)
    except ValueError as exc:
        return Unknown(expr.text, f"not valid JSON: {exc}", expr.location)


def _jsonencode(expr: Call, args: list[TfValue], evaluator: Evaluator, scope: Scope) -> TfValue:
    value = args[0]
    if isinstance(value, Located) and isinstance(value.value, (dict, list)):
        return value  # kept as a tree: policy readers take it as the document itself
    if isinstance(value, (Unknown, DocumentRef)):
        return value
    return to_json_text(value, expr.location, evaluator.charge)


# -- strings and collections ---------------------------------------------------------------


def _format(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    template = _text(_data(args[0]))
    check_string(len(template) + sum(len(str(plain(a))) for a in args[1:]) * template.count("%"))
    values = iter(args[1:])

    def verb(match: re.Match[str]) -> str:
        if match.group(1) == "%":
            return "%"
        argument = next(values, None)
        if argument is None:  # Terraform: "not enough arguments for format string"
            raise ValueError("not enough arguments")
        value = _data(argument)
        if match.group(1).endswith("q"):
            return '"' + _text(value) + '"'
        return _text(value)

    return _at(expr, _FORMAT_VERB.sub(verb, template))


def _join(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    separator = _text(_data(args[0]))
    items = [i for a in args[1:] for i in _list(a)]
    if all(is_plain(i) for i in items):
        texts = [_text(_data(i)) for i in items]
        check_string(sum(map(len, texts)) + len(separator) * len(texts))
        return _at(expr, separator.join(texts))
    first = next(i for i in items if not is_plain(i))
    return _unknown(
        expr, first if isinstance(first, Unknown) else Unknown("", "part unknown", expr.location)
    )


def _concat(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    # A list that cannot be known stays one unknown element; the known ones are kept.
    lists = [[a] if isinstance(a, (Unknown, DocumentRef)) else _list(a) for a in args]
    check_size(sum(map(len, lists)))  # concat(local.big, local.big, …) before building it
    return _at(expr, [i for items in lists for i in items])


def _flatten(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    def walk(value: TfValue) -> list[TfValue]:
        if isinstance(value, Located) and isinstance(value.value, list):
            return [v for item in value.value for v in walk(item)]
        return [value]

    return _at(expr, walk(args[0]))


def _distinct(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    seen: list[Any] = []
    kept: list[TfValue] = []
    for item in _list(args[0]):
        data = plain(item) if is_plain(item) else object()
        if data not in seen:
            seen.append(data)
            kept.append(item)
    return _at(expr, kept)


def _compact(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    return _at(expr, [i for i in _list(args[0]) if not (is_plain(i) and plain(i) in ("", None))])


def _merge(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    merged: dict[str, TfValue] = {}
    for arg in args:
        if isinstance(arg, Located) and arg.value is None:
            continue
        if not (isinstance(arg, Located) and isinstance(arg.value, dict)):
            raise TypeError("merge takes objects")
        merged.update(arg.value)
    return _at(expr, merged)


def _lookup(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    mapping, key = args[0], _text(_data(args[1]))
    if isinstance(mapping, Located) and isinstance(mapping.value, dict) and key in mapping.value:
        return mapping.value[key]
    if len(args) > 2:
        return args[2]
    raise KeyError(key)


def _element(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    items = _list(args[0])
    return items[int(_data(args[1])) % len(items)]


def _length(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    value = args[0]
    if isinstance(value, Located) and isinstance(value.value, (list, dict, str)):
        return _at(expr, len(value.value))
    raise TypeError("length takes a collection or a string")


def _keys(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    value = args[0]
    if not (isinstance(value, Located) and isinstance(value.value, dict)):
        raise TypeError("keys takes an object")
    return _at(expr, [Located(k, v.location) for k, v in sorted(value.value.items())])


def _values(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    value = args[0]
    if not (isinstance(value, Located) and isinstance(value.value, dict)):
        raise TypeError("values takes an object")
    return _at(expr, [v for _, v in sorted(value.value.items())])


def _contains(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    wanted = _data(args[1])
    return _at(expr, any(is_plain(i) and plain(i) == wanted for i in _list(args[0])))


def _identity(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    return args[0]


def _tostring(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    value = args[0]
    if isinstance(value, Located) and isinstance(value.value, str):
        return value
    return Located(_text(_data(value)), expr.location)


def _string_function(function: Callable[..., Any]) -> Eager:
    def apply(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
        result = function(*(_data(a) for a in args))
        if isinstance(result, list):  # split(): every element is a value of its own
            check_size(len(result))
            return _at(expr, [_at(expr, item) for item in result])
        return _at(expr, result)

    return apply


def _coalesce(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    for arg in args:
        if not (isinstance(arg, Located) and arg.value in (None, "")):
            return arg
    raise ValueError("no value")


def _coalescelist(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    for arg in args:
        if _list(arg):
            return arg
    raise ValueError("no non-empty list")


def _one(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    value = args[0]
    if isinstance(value, Located) and value.value is None:
        return value
    items = _list(value)
    if len(items) > 1:
        raise ValueError("more than one element")
    return items[0] if items else _at(expr, None)


def _zipmap(expr: Call, args: list[TfValue], *_: Any) -> TfValue:
    keys = [_text(_data(k)) for k in _list(args[0])]
    return _at(expr, dict(zip(keys, _list(args[1]), strict=True)))


def _split(separator: str, text: str) -> list[str]:
    return text.split(separator)


_FUNCTIONS: dict[str, Eager] = {
    "file": _file,
    "templatefile": _templatefile,
    "jsondecode": _jsondecode,
    "jsonencode": _jsonencode,
    "format": _format,
    "join": _join,
    "concat": _concat,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": _compact,
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "length": _length,
    "keys": _keys,
    "values": _values,
    "contains": _contains,
    "toset": _distinct,
    "tolist": _identity,
    "tomap": _identity,
    "tonumber": _identity,
    "tobool": _identity,
    "sensitive": _identity,
    "nonsensitive": _identity,
    "tostring": _tostring,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "one": _one,
    "basename": _string_function(lambda s: _text(s).rstrip("/").rsplit("/", 1)[-1]),
    "zipmap": _zipmap,
    "lower": _string_function(lambda s: _text(s).lower()),
    "upper": _string_function(lambda s: _text(s).upper()),
    "title": _string_function(lambda s: _text(s).title()),
    "trimspace": _string_function(lambda s: _text(s).strip()),
    "chomp": _string_function(lambda s: _text(s).rstrip("\r\n")),
    "trimprefix": _string_function(lambda s, p: _text(s).removeprefix(_text(p))),
    "trimsuffix": _string_function(lambda s, p: _text(s).removesuffix(_text(p))),
    "startswith": _string_function(lambda s, p: _text(s).startswith(_text(p))),
    "endswith": _string_function(lambda s, p: _text(s).endswith(_text(p))),
    "replace": _string_function(lambda s, old, new: _replace(_text(s), _text(old), _text(new))),
    "split": _string_function(lambda sep, s: _split(_text(sep), _text(s))),
}
# These take values that are partly unknown and keep the known parts.
_PASS_UNKNOWN = frozenset(
    {
        "jsonencode",
        "concat",
        "flatten",
        "compact",
        "distinct",
        "toset",
        "tolist",
        "merge",
        "coalesce",
        "sensitive",
        "nonsensitive",
    }
)


def _replace(text: str, old: str, new: str) -> str:
    if old.startswith("/") and old.endswith("/"):
        raise ValueError("regular expressions are not evaluated")
    if old:
        check_string(len(text) + text.count(old) * max(len(new) - len(old), 0))
    else:
        check_string(len(text) + (len(text) + 1) * len(new))
    return text.replace(old, new)
