"""Where each part of a plan's value is written: in the ``.tf`` file when the configuration's
files are present (``TfWhere``: the block, its arguments, the elements of a ``jsonencode``
or heredoc policy), else in the plan file (``PlanWhere``). A part that cannot be followed
is where its parent is.
"""

from __future__ import annotations

from typing import Any, Protocol

from iacguard.model import Location
from iacguard.parsers.located_json import JsonProblem, decode
from iacguard.records import dataclass
from iacguard.resolve.hcl import Block, Call, Expr, Literal, Name, ObjectExpr, TupleExpr
from iacguard.resolve.terraform_values import Located, TfValue, plain
from iacguard.text_map import TextMap

# The functions whose one argument is written in the .tf file as the value's elements.
_TRANSPARENT = frozenset({"jsonencode", "tolist", "toset", "tomap", "sensitive"})


class Where(Protocol):
    """Where a value and its parts are written."""

    @property
    def location(self) -> Location: ...

    def child(self, key: str | int, value: Any) -> Where | None: ...

    def json(self) -> Where | None: ...


@dataclass(frozen=True, slots=True)
class PlanWhere:
    """A value of a JSON tree located in its file: the plan, or policy text in a heredoc."""

    node: TfValue

    @property
    def location(self) -> Location:
        return self.node.location

    def child(self, key: str | int, value: Any) -> Where | None:
        inner = self.node.value if isinstance(self.node, Located) else None
        if isinstance(inner, dict) and isinstance(key, str) and key in inner:
            return PlanWhere(inner[key])
        if isinstance(inner, list) and isinstance(key, int):
            # sets come sorted in the plan: an element is where the same value is written
            same = [item for item in inner if plain(item) == value and not _is_container(value)]
            if same:
                return PlanWhere(same[0])
            return PlanWhere(inner[key]) if key < len(inner) else None
        return None

    def json(self) -> Where | None:
        node = self.node
        if not isinstance(node, Located) or not isinstance(node.value, str):
            return self if isinstance(node, Located) else None
        try:
            return PlanWhere(decode(node.value, node.text_map or TextMap.fixed(node.location)))
        except (JsonProblem, RecursionError):
            return None


@dataclass(frozen=True, slots=True)
class TfWhere:
    """A value as an expression in a ``.tf`` file: literals, objects and tuples are
    followed to their elements; anything else locates all its parts at itself."""

    expr: Expr

    @property
    def location(self) -> Location:
        return self.expr.location

    def _unwrapped(self) -> Expr:
        expr = self.expr
        while isinstance(expr, Call) and expr.name in _TRANSPARENT and len(expr.args) == 1:
            expr = expr.args[0]
        return expr

    def child(self, key: str | int, value: Any) -> Where | None:
        expr = self._unwrapped()
        if isinstance(expr, ObjectExpr) and isinstance(key, str):
            for key_expr, value_expr in expr.items:
                if _key_text(key_expr) == key:
                    return TfWhere(value_expr)
        if isinstance(expr, TupleExpr) and isinstance(key, int):
            for item in expr.items:
                if isinstance(item, Literal) and item.value == value:
                    return TfWhere(item)
            return TfWhere(expr.items[key]) if key < len(expr.items) else None
        return None

    def json(self) -> Where | None:
        expr = self._unwrapped()
        if isinstance(expr, (ObjectExpr, TupleExpr)):
            return TfWhere(expr)
        if isinstance(expr, Literal) and isinstance(expr.value, str):
            return PlanWhere(Located(expr.value, expr.location, text_map=expr.text_map)).json()
        return None


def _key_text(expr: Expr) -> str | None:
    if isinstance(expr, Literal):
        return str(expr.value)
    if isinstance(expr, Name):
        return expr.name
    return None


def _is_container(value: Any) -> bool:
    return isinstance(value, (dict, list))


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a block of the plan is written: ``tf``, its block in a ``.tf`` file (None
    when the files are not there); ``values``, its values in the plan."""

    location: Location
    values: TfValue | None
    tf: Block | None = None

    def argument(self, name: str) -> tuple[Location, Where | None]:
        """Where an argument is written, and where its value is."""
        if self.tf is not None:
            written = self.tf.attributes.get(name)
            if written is None:
                return self.tf.location, None
            return written.location, TfWhere(written.expr)
        node = entry(self.values, name)
        return (node.location, PlanWhere(node)) if node is not None else (self.location, None)

    def nested(self, kind: str, index: int, element: TfValue) -> Origin:
        """The origin of the ``index``-th ``kind`` block, whose plan value is ``element``."""
        if self.tf is None:
            return Origin(element.location, element)
        written = self.tf.children(kind)
        found = _matching(written, plain(element)) if kind != "statement" else None
        if found is None and index < len(written):
            found = written[index]
        return Origin(found.location if found else self.tf.location, element, found)


def _matching(blocks: list[Block], value: Any) -> Block | None:
    """The block whose literal arguments all have the values ``value`` has (blocks that
    are a set in the provider come in another order in the plan)."""
    if not isinstance(value, dict):
        return None
    for block in blocks:
        literals = {
            name: a.expr.value
            for name, a in block.attributes.items()
            if isinstance(a.expr, Literal)
        }
        if literals and all(value.get(name) == known for name, known in literals.items()):
            return block
    return None


def entry(node: TfValue | None, key: str) -> Located | None:
    if isinstance(node, Located) and isinstance(node.value, dict):
        found = node.value.get(key)
        return found if isinstance(found, Located) else None
    return None
