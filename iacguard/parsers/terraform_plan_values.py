"""The values of one resource instance in a Terraform plan → a block of expressions.

A plan holds values, not expressions: each resource instance becomes a block whose
arguments are literals of its planned values, and the Terraform evaluator and IAM
reader read it exactly as they read a ``.tf`` file. A value the plan leaves unknown until
apply becomes an ``Opaque`` expression (unknown: never a pass), or, when the
configuration says it is another resource's attribute (``policy_arn =
aws_iam_policy.p.arn``), that reference, so the reader knows which resource it names.

Every part is located where it is written (``terraform_plan_locations``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from iacguard.model import Location
from iacguard.parsers.terraform_plan_locations import Origin, PlanWhere, Where, entry
from iacguard.records import dataclass, field
from iacguard.resolve.hcl import (
    Attribute,
    Block,
    Expr,
    GetAttr,
    Index,
    Literal,
    Name,
    ObjectExpr,
    Opaque,
    TupleExpr,
)
from iacguard.resolve.terraform_values import Located, TfValue, plain

# Arguments that are nested blocks in the configuration (a list of objects in the plan):
# those the IAM reader reads with ``Evaluator.nested``.
NESTED_BLOCKS = frozenset(
    {"inline_policy", "statement", "principals", "not_principals", "condition"}
)
# Arguments that hold policy JSON text.
POLICY_ARGUMENTS = frozenset({"policy", "assume_role_policy", "access_policies", "inline_policy"})
KNOWN_AFTER_APPLY = "known only after apply"
# A sensitive value that the plan does not show (a redacted plan): unknown, not unset.
NOT_SHOWN = "sensitive, and not shown in the plan"
# A reference to a resource's attribute, with the instance key of count/for_each if any.
_REFERENCE = re.compile(
    r"(?P<data>data\.)?(?P<type>[A-Za-z_][\w-]*)\.(?P<name>[A-Za-z_][\w-]*)"
    r'(?P<key>\[(?:\d+|"(?:[^"\\]|\\.)*")\])?(?P<attributes>(?:\.[A-Za-z_][\w-]*)+)$'
)
_OUTPUT = re.compile(r"module\.(?P<call>[A-Za-z_][\w-]*)\.(?P<output>[A-Za-z_][\w-]*)$")
_NOT_RESOURCES = frozenset(
    {"var", "local", "module", "each", "count", "path", "self", "terraform", "data"}
)
# Users, groups and roles: their id is their name (as the evaluator reads ``.id``).
_NAMED_BY_ID = ("aws_iam_user", "aws_iam_group", "aws_iam_role")


def _object_of(reference: str) -> str:
    """What a reference names: ``aws_iam_policy.x[0].arn`` → ``aws_iam_policy.x``."""
    parts = reference.split("[", 1)[0].split(".")
    return ".".join(parts[: 3 if parts[0] == "data" else 2])


def _traversal(found: re.Match[str], attributes: list[str], location: Location) -> Expr:
    """``aws_iam_policy.x[0].arn`` as the evaluator reads it."""
    kind = found["type"]
    if found["data"]:
        expr: Expr = GetAttr(location, f"data.{kind}", Name(location, "data", "data"), kind)
        text = f"data.{kind}"
    else:
        expr, text = Name(location, kind, kind), kind
    text += f".{found['name']}"
    expr = GetAttr(location, text, expr, found["name"])
    if found["key"]:
        written = found["key"][1:-1]
        text += found["key"]
        expr = Index(location, text, expr, Literal(location, written, json.loads(written)))
    for attribute in attributes:
        text += f".{attribute}"
        expr = GetAttr(location, text, expr, attribute)
    return expr


@dataclass(slots=True)
class Targets:
    """The resources of one module instance that a reference can name (those without
    ``count``/``for_each``, whose address is the reference's), with their planned
    values, so that a reference stands for a value only when it has that value."""

    values: dict[str, dict[str, Any] | None]
    # the outputs of the module calls with one instance, by call name
    outputs: dict[str, set[str]] = field(default_factory=dict)

    def reference(self, references: list[str], value: Any, location: Location) -> Expr | None:
        """The first of the configuration's ``references`` that names an attribute of a
        resource here, as an expression, if the argument's ``value`` is that attribute's
        (None: unknown until apply: then only when it is all the argument refers to, as
        ``a ? aws_iam_policy.x.arn : aws_iam_policy.y.arn`` could be either)."""
        if value is None and len({_object_of(r) for r in references}) != 1:
            return None
        for reference in references:
            output = _OUTPUT.match(reference)
            if output is not None and value is None:  # a known value is read as it is
                if output["output"] in self.outputs.get(output["call"], ()):
                    module = Name(location, "module", "module")
                    call = GetAttr(location, f"module.{output['call']}", module, output["call"])
                    return GetAttr(location, reference, call, output["output"])
                continue
            found = _REFERENCE.match(reference)
            if found is None or (not found["data"] and found["type"] in _NOT_RESOURCES):
                continue
            address = f"{found['data'] or ''}{found['type']}.{found['name']}"
            attributes = found["attributes"].split(".")[1:]
            if address not in self.values:
                continue
            if value is not None and not self._has(address, attributes[0], value):
                continue
            return _traversal(found, attributes, location)
        return None

    def _has(self, address: str, attribute: str, value: Any) -> bool:
        planned = self.values.get(address) or {}
        if attribute == "id" and address.startswith(_NAMED_BY_ID):
            return value in (planned.get("id"), planned.get("name"))
        return attribute in planned and planned[attribute] == value


class BlockBuilder:
    """Builds the blocks of one module instance's resources."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    def block(
        self,
        kind: str,
        labels: tuple[str, ...],
        origin: Origin,
        unknown: Any,
        expressions: TfValue | None,
    ) -> Block:
        """``unknown``: the ``after_unknown`` marks of these values; ``expressions``: the
        block's expressions in the plan's configuration (None: not known)."""
        block = Block(kind, labels, origin.location)
        nested = kind not in ("resource", "data")
        values = origin.values.value if isinstance(origin.values, Located) else None
        values = values if isinstance(values, dict) else {}
        marks = unknown if isinstance(unknown, dict) else {}
        written = expressions.value if isinstance(expressions, Located) else None
        # every argument the plan knows is in its values (null when not set): one that is
        # written but not there is unknown, marked so or not
        names = list(values) + [n for n, mark in marks.items() if _why(mark) and n not in values]
        if isinstance(written, dict):
            names += [n for n in written if n not in values and n not in names]
        for name in names:
            node, mark = values.get(name), marks.get(name)
            config = written.get(name) if isinstance(written, dict) else None
            if _why(mark) or not isinstance(node, Located):
                if written is not None and config is None:
                    continue  # computed by the provider, not written: as if not set
                if name in NESTED_BLOCKS:
                    location = origin.argument(name)[0]
                    block.blocks.append(_unknown_blocks(name, location, _why(mark)))
                    continue
            elif node.value is None or (nested and node.value in ("", [], {})):
                continue  # null (and, in a nested block, empty): as if not set
            elif name in NESTED_BLOCKS and isinstance(node.value, list):
                block.blocks.extend(self._nested(name, node, origin, mark, config))
                continue
            block.attributes[name] = self._argument(name, node, mark, origin, config)
        return block

    def _nested(
        self, kind: str, node: Located, origin: Origin, unknown: Any, config: TfValue | None
    ) -> list[Block]:
        blocks = []
        for index, element in enumerate(node.value):
            if not isinstance(element, Located) or not isinstance(element.value, dict):
                continue
            blocks.append(
                self.block(
                    kind,
                    (),
                    origin.nested(kind, index, element),
                    _at(unknown, index),
                    _at(config, index),
                )
            )
        return blocks

    def _argument(
        self, name: str, node: TfValue | None, unknown: Any, origin: Origin, config: TfValue | None
    ) -> Attribute:
        location, where = origin.argument(name)
        at = where.location if where is not None else location
        references = references_of(config)
        if _why(unknown) or not isinstance(node, Located):
            expr = self.targets.reference(references, None, at)
            if expr is None:
                shown = references[0] if references else name
                expr = Opaque(at, shown, _why(unknown) or KNOWN_AFTER_APPLY)
            return Attribute(name, expr, location)
        value = node.value
        reference = self.targets.reference(references, value, at)
        if reference is not None and isinstance(value, str):
            return Attribute(name, reference, location)
        if name in POLICY_ARGUMENTS and isinstance(value, str) and origin.tf is not None:
            # read as a tree, each element located where the .tf file writes it
            tree = PlanWhere(node).json()
            if isinstance(tree, PlanWhere):
                json_where = where.json() if where is not None else None
                return Attribute(name, _expr(tree.node, None, json_where, at, name), location)
        return Attribute(name, _expr(node, unknown, where, at, name), location)


def _why(mark: Any) -> str | None:
    """Why a value is unknown: ``after_unknown`` marks it true, or it is a sensitive
    value the plan does not show; None when it is known."""
    if mark is True:
        return KNOWN_AFTER_APPLY
    return mark if isinstance(mark, str) else None


def _unknown_blocks(kind: str, location: Location, why: str | None) -> Block:
    """Nested blocks the plan does not know yet: a ``dynamic`` block whose ``for_each``
    is unknown, which the reader reports as unresolved."""
    unknown = Opaque(location, kind, why or KNOWN_AFTER_APPLY)
    each = Attribute("for_each", unknown, location)
    return Block("dynamic", (kind,), location, {"for_each": each}, [Block("content", (), location)])


def _at(marks: Any, key: str | int) -> Any:
    if isinstance(marks, Located):
        marks = marks.value
    if isinstance(marks, dict) and isinstance(key, str):
        return marks.get(key)
    if isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        return marks[key]
    return None


def references_of(config: TfValue | None) -> list[str]:
    """The ``references`` of an expression in the plan's configuration."""
    listed = entry(config, "references")
    items = listed.value if listed is not None else None
    if not isinstance(items, list):
        return []
    return [r.value for r in items if isinstance(r, Located) and isinstance(r.value, str)]


def _expr(node: TfValue, unknown: Any, where: Where | None, fallback: Location, text: str) -> Expr:
    """A planned value as literals; the parts unknown until apply, ``Opaque``."""
    location = where.location if where is not None else fallback
    if _why(unknown) or not isinstance(node, Located):
        return Opaque(location, text, _why(unknown) or KNOWN_AFTER_APPLY)
    value = node.value
    if isinstance(value, dict):
        items = []
        for key, child in value.items():
            inner = where.child(key, plain(child)) if where is not None else None
            key_expr = Literal(location, json.dumps(key), key)
            items.append((key_expr, _expr(child, _at(unknown, key), inner, location, key)))
        return ObjectExpr(location, text, tuple(items))
    if isinstance(value, list):
        elements = []
        for index, child in enumerate(value):
            inner = where.child(index, plain(child)) if where is not None else None
            elements.append(_expr(child, _at(unknown, index), inner, location, f"{text}[{index}]"))
        return TupleExpr(location, text, tuple(elements))
    own = isinstance(where, PlanWhere) and where.node is node
    return Literal(location, json.dumps(value), value, text_map=node.text_map if own else None)
