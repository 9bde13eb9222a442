"""Terraform source → the resolver's syntax tree (``iacguard.resolve.hcl``).

Native HCL is parsed by python-hcl2's typed tree (``hcl2.parses``, imported lazily: it
is slow to import and slower to parse, about 0.1-0.3 MB/s); positions come from the lark
``meta`` of each rule. Heredoc bodies are single tokens in that tree, so their
interpolations are found here, and so are those of ``.tf.json`` strings and
``templatefile`` files; each ``${…}`` is parsed on its own.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from typing import Any

from iacguard.model import Location
from iacguard.parsers import hcl_tables
from iacguard.parsers.hcl_text import joined, scan_template, unescape
from iacguard.parsers.source import brackets_too_deep, nested_too_deeply
from iacguard.resolve.hcl import (
    Anchor,
    Attribute,
    Binary,
    Block,
    Call,
    Conditional,
    Expr,
    FileSyntax,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Name,
    ObjectExpr,
    Opaque,
    Splat,
    TextMap,
    TupleExpr,
    Unary,
)
from iacguard.resolve.node import Problem

_HEREDOC_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_SNIPPET_PREFIX = "x = "
_MAX_DIGITS = 4000
_STRING_TOKENS = ("STRING_CHARS_TOKEN", "ESCAPED_INTERPOLATION_TOKEN", "ESCAPED_DIRECTIVE_TOKEN")

Position = Callable[[int, int], tuple[int, int]]


class SyntaxProblem(Exception):
    """A file that is not valid HCL or JSON; ``line``/``column`` where reading stopped."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def parse_hcl(text: str, file: str) -> FileSyntax:
    """A ``.tf`` or ``.tfvars`` file."""
    tree = _parse_tree(text)
    try:
        return _Converter(file, text).syntax(tree)
    except RecursionError:
        raise SyntaxProblem(nested_too_deeply()) from None


def parse_template(text: str, text_map: TextMap, location: Location) -> Expr:
    """A template (heredoc body, ``templatefile`` file, ``.tf.json`` string)."""
    return scan_template(text, text_map, location, text, _snippet)


# -- parsing with python-hcl2 -------------------------------------------------------------


def _parse_tree(text: str) -> Any:
    from hcl2.api import transform
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

    if brackets_too_deep(text):  # python-hcl2 recurses per level, slowly
        raise SyntaxProblem(nested_too_deeply())
    enabled = gc.isenabled()
    gc.disable()  # the parse allocates millions of objects and frees none of them
    try:
        # hcl2.parses, with a parser whose tables are built once per machine; the
        # newline works around lark's missing end-of-file token, as hcl2 does
        return transform(hcl_tables.parser().parse(text + "\n"))
    except UnexpectedToken as exc:
        raise SyntaxProblem(_unexpected(exc.token), exc.line, exc.column) from None
    except UnexpectedCharacters as exc:
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        raise SyntaxProblem(f"unexpected character {char!r}", exc.line, exc.column) from None
    except UnexpectedEOF:
        raise SyntaxProblem("unexpected end of file", text.count("\n") + 1) from None
    except RecursionError:
        raise SyntaxProblem(nested_too_deeply()) from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, RecursionError):
            raise SyntaxProblem(nested_too_deeply()) from None
        raise SyntaxProblem(f"cannot parse: {_first_line(str(exc.orig_exc))}") from None
    except Exception as exc:  # hcl2 raises RuntimeError/ValueError for some bad input
        raise SyntaxProblem(f"cannot parse: {_first_line(str(exc))}") from None
    finally:
        if enabled:
            gc.enable()


def _unexpected(token: Any) -> str:
    if token.type == "$END":
        return "unexpected end of file"
    value = str(token.value).strip()
    if not value:
        return "unexpected end of line"
    return f"unexpected {_first_line(value)[:40]!r}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


# -- the typed tree → syntax ----------------------------------------------------------------


class _Converter:
    """Converts one parsed text. ``position`` maps the text's (line, column) to the file's
    (an interpolation parsed on its own sits somewhere inside a heredoc)."""

    def __init__(self, file: str, text: str, position: Position | None = None) -> None:
        self.file = file
        self.text = text
        self.problems: list[Problem] = []
        self.position: Position = position or (lambda line, column: (line, column))

    def syntax(self, tree: Any) -> FileSyntax:
        syntax = FileSyntax(self.file)
        self.problems = syntax.problems
        for child in tree.body.children:
            kind = type(child).__name__
            if kind == "BlockRule":
                syntax.blocks.append(self.block(child))
            elif kind == "AttributeRule":
                self.add(syntax.attributes, self.attribute(child))
        return syntax

    def block(self, rule: Any) -> Block:
        labels = [self.label(label) for label in rule.labels]
        block = Block(labels[0], tuple(labels[1:]), self.location(rule))
        for child in rule.body.children:
            kind = type(child).__name__
            if kind == "BlockRule":
                block.blocks.append(self.block(child))
            elif kind == "AttributeRule":
                self.add(block.attributes, self.attribute(child))
        return block

    def add(self, attributes: dict[str, Attribute], attribute: Attribute) -> None:
        """An argument written twice is an error in Terraform; the first one counts."""
        first = attributes.get(attribute.name)
        if first is None:
            attributes[attribute.name] = attribute
            return
        message = f"{attribute.name} is set twice (first on line {first.location.line})"
        self.problems.append(Problem(message, attribute.location))

    def label(self, rule: Any) -> str:
        if type(rule).__name__ == "StringRule":
            expr = self.string(rule)
            return str(expr.value) if isinstance(expr, Literal) else expr.text
        return str(rule.token.value)

    def attribute(self, rule: Any) -> Attribute:
        name = str(rule.identifier.token.value)
        return Attribute(name, self.expr(rule.expression), self.location(rule))

    # -- positions ------------------------------------------------------------------

    def location(self, rule: Any) -> Location:
        meta = rule._meta
        source = self.text[meta.start_pos : meta.end_pos].rstrip()
        line, column = self.position(meta.line, meta.column)
        newlines = source.count("\n")
        if newlines:
            end_line, end_column = meta.line + newlines, len(source) - source.rfind("\n")
        else:
            end_line, end_column = meta.line, meta.column + len(source)
        end_line, end_column = self.position(end_line, end_column)
        return Location(self.file, line, column, end_line, end_column)

    def source(self, rule: Any) -> str:
        meta = rule._meta
        return self.text[meta.start_pos : meta.end_pos].strip()

    # -- expressions ----------------------------------------------------------------

    def expr(self, rule: Any) -> Expr:
        kind = type(rule).__name__
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            return Opaque(self.location(rule), self.source(rule), f"{kind} is not evaluated")
        result: Expr = handler(rule)
        return result

    def _ExprTermRule(self, rule: Any) -> Expr:
        return self.expr(rule.expression)

    def _IntLitRule(self, rule: Any) -> Expr:
        text = str(rule.token.value)
        if len(text) > _MAX_DIGITS:  # int() refuses them, and no IAM value is one
            return Opaque(self.location(rule), text[:20] + "...", "the number is too long")
        return Literal(self.location(rule), self.source(rule), int(text))

    def _FloatLitRule(self, rule: Any) -> Expr:
        return Literal(self.location(rule), self.source(rule), float(str(rule.token.value)))

    def _LiteralValueRule(self, rule: Any) -> Expr:
        value = {"true": True, "false": False, "null": None}.get(str(rule.token.value))
        return Literal(self.location(rule), self.source(rule), value)

    def _IdentifierRule(self, rule: Any) -> Expr:
        return Name(self.location(rule), self.source(rule), str(rule.token.value))

    def _TupleRule(self, rule: Any) -> Expr:
        items = tuple(self.expr(e) for e in rule.elements)
        return TupleExpr(self.location(rule), self.source(rule), items)

    def _ObjectRule(self, rule: Any) -> Expr:
        entries = []
        for element in rule.elements:
            key_rule = element.key
            if type(key_rule).__name__ == "ObjectElemKeyRule":
                inner = key_rule.value
                if type(inner).__name__ == "StringRule":
                    key = self.string(inner)
                else:
                    key = Literal(self.location(inner), self.source(inner), str(inner.token.value))
            else:
                key = self.expr(key_rule.expression)
            entries.append((key, self.expr(element.expression)))
        return ObjectExpr(self.location(rule), self.source(rule), tuple(entries))

    def _StringRule(self, rule: Any) -> Expr:
        return self.string(rule)

    def _FunctionCallRule(self, rule: Any) -> Expr:
        name = "::".join(str(i.token.value) for i in rule.identifiers)
        arguments = rule.arguments
        args = tuple(self.expr(a) for a in arguments.arguments) if arguments else ()
        expand = bool(arguments and arguments.has_ellipsis)
        return Call(self.location(rule), self.source(rule), name, args, expand)

    def _GetAttrExprTermRule(self, rule: Any) -> Expr:
        name = str(rule.get_attr.identifier.token.value)
        return GetAttr(self.location(rule), self.source(rule), self.expr(rule.expr_term), name)

    def _IndexExprTermRule(self, rule: Any) -> Expr:
        base, index = rule.children[0], rule.children[1]
        if type(index).__name__ == "ShortIndexRule":
            position = self.location(index)
            key: Expr = Literal(position, str(index.index.value), int(str(index.index.value)))
        else:
            key = self.expr(index.index_expression)
        return Index(self.location(rule), self.source(rule), self.expr(base), key)

    def _splat(self, rule: Any) -> Expr:
        steps: list[str | Expr] = []
        for step in rule.attr_splat.get_attrs:
            kind = type(step).__name__
            if kind == "GetAttrRule":
                steps.append(str(step.identifier.token.value))
            elif kind == "ShortIndexRule":
                value = int(str(step.index.value))
                steps.append(Literal(self.location(step), str(value), value))
            else:
                steps.append(self.expr(step.index_expression))
        return Splat(
            self.location(rule), self.source(rule), self.expr(rule.expr_term), tuple(steps)
        )

    _AttrSplatExprTermRule = _splat
    _FullSplatExprTermRule = _splat

    def _ConditionalRule(self, rule: Any) -> Expr:
        return Conditional(
            self.location(rule),
            self.source(rule),
            self.expr(rule.condition),
            self.expr(rule.if_true),
            self.expr(rule.if_false),
        )

    def _BinaryOpRule(self, rule: Any) -> Expr:
        term = rule.binary_term
        operator = str(term.binary_operator.token.value).strip()
        return Binary(
            self.location(rule),
            self.source(rule),
            operator,
            self.expr(rule.expr_term),
            self.expr(term.expr_term),
        )

    def _UnaryOpRule(self, rule: Any) -> Expr:
        return Unary(
            self.location(rule), self.source(rule), rule.operator, self.expr(rule.expr_term)
        )

    def _for(self, rule: Any, key: Expr | None, grouping: bool) -> Expr:
        intro = rule.for_intro
        first = str(intro.first_iterator.token.value)
        second = intro.second_iterator
        key_var, value_var = (first, str(second.token.value)) if second else (None, first)
        condition = rule.condition
        return ForExpr(
            self.location(rule),
            self.source(rule),
            key_var,
            value_var,
            self.expr(intro.iterable),
            key,
            self.expr(rule.value_expr),
            self.expr(condition.condition_expr) if condition is not None else None,
            grouping,
        )

    def _ForTupleExprRule(self, rule: Any) -> Expr:
        return self._for(rule, None, grouping=False)

    def _ForObjectExprRule(self, rule: Any) -> Expr:
        return self._for(rule, self.expr(rule.key_expr), grouping=rule.ellipsis is not None)

    def _HeredocTemplateRule(self, rule: Any) -> Expr:
        return self.heredoc(rule)

    _HeredocTrimTemplateRule = _HeredocTemplateRule

    # -- strings --------------------------------------------------------------------

    def string(self, rule: Any) -> Expr:
        """A quoted string: escapes resolved, each character mapped to its column."""
        location = self.location(rule)
        source = self.source(rule)
        parts: list[Expr] = []
        for part in rule.string_parts:
            content = part.content
            kind = type(content).__name__
            if kind == "InterpolationRule":
                parts.append(self.expr(content.expression))
                continue
            if kind not in _STRING_TOKENS:
                return Opaque(location, source, "template directives (%{…}) are not evaluated")
            raw = str(content.value)
            line, column = self.position(part._meta.line, part._meta.column)
            if kind == "STRING_CHARS_TOKEN":
                text, text_map = unescape(raw, self.file, line, column)
            else:  # $${ and %%{ stand for themselves, without the doubled sign
                text = raw[1:]
                text_map = TextMap((Anchor(0, Location(self.file, line, column + 1)),))
            parts.append(Literal(self.location(part), raw, text, text_map))
        return joined(parts, location, source)

    def heredoc(self, rule: Any) -> Expr:
        raw = str(rule.heredoc.value)
        location = self.location(rule)
        head = _HEREDOC_HEAD.match(raw)
        if head is None:
            return Opaque(location, raw, "unreadable heredoc")
        lines = raw[head.end() :].split("\n")
        body = lines[:-2] if len(lines) >= 2 else []
        indent = 0
        if head.group(1):
            widths = [len(t) - len(t.lstrip(" \t")) for t in body if t.strip()]
            indent = min(widths, default=0)
        start_line, _ = self.position(rule._meta.line, 1)
        anchors, pieces, offset = [], [], 0
        for number, text in enumerate(body):
            anchors.append(Anchor(offset, Location(self.file, start_line + 1 + number, indent + 1)))
            pieces.append(text[indent:] + "\n")
            offset += len(pieces[-1])
        text = "".join(pieces)
        text_map = TextMap(tuple(anchors) or (Anchor(0, location),))
        return scan_template(text, text_map, location, raw, _snippet)


def _snippet(source: str, text_map: TextMap, offset: int) -> Expr:
    """One ``${…}`` expression, parsed on its own and placed where it is written."""
    stripped = source.strip().strip("~").strip()
    start = offset + (source.find(stripped) if stripped else 0)
    where = text_map.location(start, start + max(len(stripped), 1))
    if not stripped:
        return Opaque(where, source, "an empty interpolation")
    snippet = f"{_SNIPPET_PREFIX}{stripped}\n"
    line_starts = [0] + [i + 1 for i, c in enumerate(snippet) if c == "\n"]

    def position(line: int, column: int) -> tuple[int, int]:
        inside = line_starts[line - 1] + column - 1 - len(_SNIPPET_PREFIX)
        _, source_line, source_column = text_map.point(start + max(inside, 0))
        return source_line, source_column

    try:
        tree = _parse_tree(snippet)
        rule = next(c for c in tree.body.children if type(c).__name__ == "AttributeRule")
    except (SyntaxProblem, StopIteration):
        return Opaque(where, stripped, "the interpolation cannot be parsed")
    converter = _Converter(where.file, snippet, position)
    return converter.expr(rule.expression)
