"""Terraform's type conversion of variable values: what ``type =`` does to a value.

An ``object({...})`` attribute declared ``optional(T)`` that the value omits (or sets to
null) becomes null, or the default of ``optional(T, default)``; attributes the type does
not declare are dropped; collections convert each element. Modern modules build policy
statements from such objects (``effect = optional(string, "Allow")``), so without this an
omitted ``not_actions`` would read as "every action except none".
Primitive types (``string``, ``number``, ``bool``) and ``any`` leave a value as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from iacguard.records import dataclass, field, replace
from iacguard.resolve.hcl import Call, Expr, Literal, ObjectExpr, TupleExpr
from iacguard.resolve.terraform_values import Choice, Located, TfValue


@dataclass(frozen=True)
class Attribute:
    type: TfType
    optional: bool = False
    default: Expr | None = None


@dataclass(frozen=True)
class TfType:
    kind: str  # "any" (also the primitives), "list", "set", "map", "object", "tuple"
    element: TfType | None = None
    attributes: dict[str, Attribute] = field(default_factory=dict)
    elements: tuple[TfType, ...] = ()


ANY = TfType("any")


def parse_type(expr: Expr) -> TfType:
    """The type a ``type =`` expression declares; ``any`` for what is not understood."""
    if not isinstance(expr, Call):
        return ANY
    if expr.name in ("list", "set", "map") and len(expr.args) == 1:
        return TfType(expr.name, element=parse_type(expr.args[0]))
    if expr.name == "object" and len(expr.args) == 1 and isinstance(expr.args[0], ObjectExpr):
        attributes: dict[str, Attribute] = {}
        for key, value in expr.args[0].items:
            if isinstance(key, Literal) and isinstance(key.value, str):
                attributes[key.value] = _attribute(value)
        return TfType("object", attributes=attributes)
    if expr.name == "tuple" and len(expr.args) == 1 and isinstance(expr.args[0], TupleExpr):
        return TfType("tuple", elements=tuple(parse_type(i) for i in expr.args[0].items))
    return ANY


def _attribute(expr: Expr) -> Attribute:
    if isinstance(expr, Call) and expr.name == "optional" and 1 <= len(expr.args) <= 2:
        default = expr.args[1] if len(expr.args) == 2 else None
        return Attribute(parse_type(expr.args[0]), optional=True, default=default)
    return Attribute(parse_type(expr))


Evaluate = Callable[[Expr], TfValue]


def convert(value: TfValue, type_: TfType, evaluate: Evaluate) -> TfValue:
    """``value`` converted to ``type_``; ``evaluate`` gives an ``optional`` default's value.
    Parts that cannot be known, and values of another shape, are left as they are."""
    if type_.kind == "any":
        return value
    if isinstance(value, Choice):
        return Choice(tuple(convert(o, type_, evaluate) for o in value.options), value.location)
    if not isinstance(value, Located) or value.value is None:
        return value
    inner = value.value
    if type_.kind in ("list", "set") and isinstance(inner, list) and type_.element:
        return replace(value, value=[convert(i, type_.element, evaluate) for i in inner])
    if type_.kind == "map" and isinstance(inner, dict) and type_.element:
        element = type_.element
        return replace(value, value={k: convert(v, element, evaluate) for k, v in inner.items()})
    if type_.kind == "tuple" and isinstance(inner, list):
        converted = [convert(i, t, evaluate) for i, t in zip(inner, type_.elements, strict=False)]
        return replace(value, value=converted + inner[len(converted) :])
    if type_.kind == "object" and isinstance(inner, dict):
        return replace(value, value=_object(value, inner, type_, evaluate))
    return value


def _object(
    value: Located, inner: dict[str, TfValue], type_: TfType, evaluate: Evaluate
) -> dict[str, TfValue]:
    converted: dict[str, TfValue] = {}
    for name, attribute in type_.attributes.items():
        given = inner.get(name)
        if given is not None and not _null(given):
            converted[name] = convert(given, attribute.type, evaluate)
        elif attribute.optional and attribute.default is not None:
            converted[name] = convert(evaluate(attribute.default), attribute.type, evaluate)
        elif attribute.optional or given is not None:
            converted[name] = given or Located(None, value.location)
        # a required attribute that is missing: Terraform refuses the value; left out
    return converted


def _null(value: TfValue) -> bool:
    return isinstance(value, Located) and value.value is None
