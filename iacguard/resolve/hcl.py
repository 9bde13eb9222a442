"""The Terraform language as the resolver sees it: expressions, attributes, blocks and
modules, independent of how they were written (native HCL or ``.tf.json``).

``iacguard.parsers.hcl`` builds these from python-hcl2's typed tree; the resolver
(``iacguard.resolve.terraform``) evaluates them. Every node keeps its ``Location`` and
its source text, so an unknown value can say what was written and where.
"""

from __future__ import annotations

from pathlib import Path

from iacguard.model import Location
from iacguard.records import dataclass, field
from iacguard.resolve.node import Problem
from iacguard.text_map import TextMap

# -- expressions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr:
    location: Location
    text: str


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """A number, bool, null or a string without interpolation (escapes resolved)."""

    value: str | int | float | bool | None
    text_map: TextMap | None = None


@dataclass(frozen=True, slots=True)
class Template(Expr):
    """A string with interpolations: literal pieces and ``${…}`` expressions in order."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class TupleExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ObjectExpr(Expr):
    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A bare identifier: ``var``, ``local``, ``aws_iam_user``, ``each``, a for variable."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    base: Expr
    name: str


@dataclass(frozen=True, slots=True)
class Index(Expr):
    base: Expr
    key: Expr


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """``base[*].a.b``: ``steps`` apply to every element of ``base``."""

    base: Expr
    steps: tuple[str | Expr, ...]


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand_last: bool = False


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    condition: Expr
    then: Expr
    other: Expr


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    operator: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    operator: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class ForExpr(Expr):
    """``[for k, v in coll : value if cond]`` or ``{for … : key => value}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None
    value: Expr
    condition: Expr | None
    grouping: bool = False


@dataclass(frozen=True, slots=True)
class Opaque(Expr):
    """Syntax the resolver does not evaluate (template directives …); always unknown."""

    why: str


# -- structure --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    location: Location


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    location: Location
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def children(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]


@dataclass(slots=True)
class FileSyntax:
    """One parsed file: its top-level blocks and attributes (``.tfvars`` has only those)."""

    file: str
    blocks: list[Block] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # reported by the parser


@dataclass(slots=True)
class Module:
    """The configuration in one directory: all its ``.tf`` and ``.tf.json`` files."""

    directory: Path
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    resources: dict[str, Block] = field(default_factory=dict)
    calls: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def add(self, syntax: FileSyntax) -> None:
        self.files.append(syntax.file)
        for block in syntax.blocks:
            kind, labels = block.type, block.labels
            if kind == "variable" and len(labels) == 1:
                self.variables[labels[0]] = block
            elif kind == "locals":
                self.locals.update(block.attributes)
            elif kind == "resource" and len(labels) == 2:
                self.resources[f"{labels[0]}.{labels[1]}"] = block
            elif kind == "data" and len(labels) == 2:
                self.resources[f"data.{labels[0]}.{labels[1]}"] = block
            elif kind == "module" and len(labels) == 1:
                self.calls[labels[0]] = block
            elif kind == "output" and len(labels) == 1:
                self.outputs[labels[0]] = block
