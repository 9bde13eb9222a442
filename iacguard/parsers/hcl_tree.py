"""lark's tree of a Terraform text → the resolver's syntax tree (``iacguard.resolve.hcl``).

Straight from the tree lark builds with python-hcl2's grammar (hcl2.lark), without
hcl2's RuleTransformer: building its typed tree cost a third of the parse. Rules are
``Tree``s named as in the grammar; terminals are lark ``Token``s (``str``s with a
``type``: what is not a ``str`` is a rule). Where the transformer normalised a tree, the
converter reads it the same way. Positions come from the lark ``meta`` of each rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from iacguard.model import Location
from iacguard.parsers.hcl_text import joined, scan_template, unescape
from iacguard.resolve.hcl import (
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
    TupleExpr,
    Unary,
)
from iacguard.resolve.node import Problem
from iacguard.text_map import Anchor, TextMap

if TYPE_CHECKING:
    from lark import Tree  # imported by the parse: lark is slow to import

    from iacguard.errors import ErrorKind

_HEREDOC_HEAD = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_MAX_DIGITS = 4000

Position = Callable[[int, int], tuple[int, int]]
Snippet = Callable[[str, TextMap, int], Expr]


class SyntaxProblem(Exception):
    """A file that is not valid HCL or JSON (``parse``) or that ran into one of the
    reader's limits (``limit``); ``line``/``column`` where reading stopped."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        kind: ErrorKind = "parse",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind


def _subtrees(rule: Tree) -> list[Tree]:
    """The rule's children that are rules, but for newlines and comments."""
    return [c for c in rule.children if not isinstance(c, str) and c.data != "new_line_or_comment"]


def _is_token(child: Any, kind: str) -> bool:
    return isinstance(child, str) and getattr(child, "type", None) == kind


def _token_text(rule: Any) -> str:
    """The text of a rule made of one terminal (identifier, keyword, literal…)."""
    return str(rule.children[0])


class Converter:
    """Converts one parsed text. ``snippet`` parses one ``${…}`` of a heredoc;
    ``position`` maps the text's (line, column) to the file's (an interpolation parsed on
    its own sits somewhere inside a heredoc)."""

    def __init__(
        self, file: str, text: str, snippet: Snippet, position: Position | None = None
    ) -> None:
        self.file = file
        self.text = text
        self.snippet = snippet
        self.problems: list[Problem] = []
        self.position: Position = position or (lambda line, column: (line, column))

    def syntax(self, tree: Tree) -> FileSyntax:
        syntax = FileSyntax(self.file)
        self.problems = syntax.problems
        for child in tree.children[0].children:  # start → body
            if child.data == "block":
                syntax.blocks.append(self.block(child))
            elif child.data == "attribute":
                self.add(syntax.attributes, self.attribute(child))
        return syntax

    def block(self, rule: Tree) -> Block:
        # every child but the terminals: the labels, then the body (as the transformer
        # reads it, a newline before the brace is a label)
        *labels, body = [c for c in rule.children if not isinstance(c, str)]
        names = [self.label(label) for label in labels]
        block = Block(names[0], tuple(names[1:]), self.location(rule))
        for child in body.children:
            if child.data == "block":
                block.blocks.append(self.block(child))
            elif child.data == "attribute":
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

    def label(self, rule: Tree) -> str:
        if rule.data == "string":
            expr = self.string(rule)
            return str(expr.value) if isinstance(expr, Literal) else expr.text
        return _token_text(rule)

    def attribute(self, rule: Tree) -> Attribute:
        name, _, expression = rule.children
        return Attribute(_token_text(name), self.expr(expression), self.location(rule))

    # -- positions ------------------------------------------------------------------

    def location(self, rule: Tree, meta: Any = None) -> Location:
        meta = meta or rule.meta
        line, column = self.position(meta.line, meta.column)
        end = meta.end_pos
        if end > meta.start_pos and not self.text[end - 1].isspace():
            end_line, end_column = meta.end_line, meta.end_column  # most: no text to strip
        else:  # ends with a newline (a body): where its text ends
            source = self.text[meta.start_pos : end].rstrip()
            newlines = source.count("\n")
            if newlines:
                end_line, end_column = meta.line + newlines, len(source) - source.rfind("\n")
            else:
                end_line, end_column = meta.line, meta.column + len(source)
        end_line, end_column = self.position(end_line, end_column)
        return Location(self.file, line, column, end_line, end_column)

    def source(self, rule: Tree, meta: Any = None) -> str:
        meta = meta or rule.meta
        return self.text[meta.start_pos : meta.end_pos].strip()

    # -- expressions ----------------------------------------------------------------

    def expr(self, rule: Tree) -> Expr:
        handler = getattr(self, f"_{rule.data}", None)
        if handler is None:
            # named as python-hcl2's typed rules are (``TemplateStringRule``)
            kind = "".join(part.title() for part in str(rule.data).split("_")) + "Rule"
            return Opaque(self.location(rule), self.source(rule), f"{kind} is not evaluated")
        result: Expr = handler(rule)
        return result

    def _expr_term(self, rule: Tree) -> Expr:
        return self.expr(_subtrees(rule)[0])  # the term, or the expression in parentheses

    def _int_lit(self, rule: Tree) -> Expr:
        text = _token_text(rule)
        if len(text) > _MAX_DIGITS:  # int() refuses them, and no IAM value is one
            return Opaque(self.location(rule), text[:20] + "...", "the number is too long")
        return Literal(self.location(rule), self.source(rule), int(text))

    def _float_lit(self, rule: Tree) -> Expr:
        return Literal(self.location(rule), self.source(rule), float(_token_text(rule)))

    def _literal_value(self, rule: Tree) -> Expr:
        value = {"true": True, "false": False, "null": None}.get(_token_text(rule))
        return Literal(self.location(rule), self.source(rule), value)

    def _identifier(self, rule: Tree) -> Expr:
        return Name(self.location(rule), self.source(rule), _token_text(rule))

    def _tuple(self, rule: Tree) -> Expr:
        items = tuple(self.expr(e) for e in _subtrees(rule))
        return TupleExpr(self.location(rule), self.source(rule), items)

    def _object(self, rule: Tree) -> Expr:
        entries = []
        for element in _subtrees(rule):
            key_rule, _, value = element.children
            entries.append((self.key(key_rule), self.expr(value)))
        return ObjectExpr(self.location(rule), self.source(rule), tuple(entries))

    def key(self, rule: Tree) -> Expr:
        """An object key: a name, keyword, literal, number or string stands for itself
        (located, when the transformer renamed it, where the key is); anything else is
        an expression."""
        (inner,) = rule.children
        if inner.data == "keyword":
            return Literal(self.location(rule), self.source(rule), _token_text(inner))
        term = inner.children[0] if inner.data == "expr_term" else None
        if term is not None and not isinstance(term, str) and term.data in _KEY_TERMS:
            if term.data == "string":
                return self.string(term)
            at = rule if term.data == "literal_value" else term
            return Literal(self.location(at), self.source(at), _token_text(term))
        return self.expr(inner)

    def _string(self, rule: Tree) -> Expr:
        return self.string(rule)

    def _function_call(self, rule: Tree) -> Expr:
        trees = _subtrees(rule)
        name = "::".join(_token_text(i) for i in trees if i.data == "identifier")
        arguments = next((t for t in trees if t.data == "arguments"), None)
        args: tuple[Expr, ...] = ()
        expand = False
        if arguments is not None:
            args = tuple(self.expr(a) for a in _subtrees(arguments))
            expand = any(_is_token(c, "ELLIPSIS") for c in arguments.children[-2:])
        return Call(self.location(rule), self.source(rule), name, args, expand)

    def _get_attr_expr_term(self, rule: Tree) -> Expr:
        base, get_attr = rule.children
        name = _token_text(get_attr.children[1])
        return GetAttr(self.location(rule), self.source(rule), self.expr(base), name)

    def _index_expr_term(self, rule: Tree) -> Expr:
        base, index = rule.children
        if index.data == "short_index":
            digits = str(index.children[1])
            key: Expr = Literal(self.location(index), digits, int(digits))
        else:
            key = self.expr(_subtrees(index)[0])
        return Index(self.location(rule), self.source(rule), self.expr(base), key)

    def _splat(self, rule: Tree) -> Expr:
        base, splat = rule.children
        steps: list[str | Expr] = []
        for step in splat.children[1:]:
            if step.data == "get_attr":
                steps.append(_token_text(step.children[1]))
            elif step.data == "short_index":
                value = int(str(step.children[1]))
                steps.append(Literal(self.location(step), str(value), value))
            else:
                steps.append(self.expr(_subtrees(step)[0]))
        return Splat(self.location(rule), self.source(rule), self.expr(base), tuple(steps))

    _attr_splat_expr_term = _splat
    _full_splat_expr_term = _splat

    def _conditional(self, rule: Tree) -> Expr:
        condition, if_true, if_false = _subtrees(rule)
        return Conditional(
            self.location(rule),
            self.source(rule),
            self.expr(condition),
            self.expr(if_true),
            self.expr(if_false),
        )

    def _binary_op(self, rule: Tree) -> Expr:
        left, term = _subtrees(rule)[:2]
        operator, right = _subtrees(term)
        return Binary(
            self.location(rule),
            self.source(rule),
            _token_text(operator).strip(),  # a newline before it is merged into it
            self.expr(left),
            self.expr(right),
        )

    def _unary_op(self, rule: Tree) -> Expr:
        operator, term = rule.children
        return Unary(self.location(rule), self.source(rule), str(operator), self.expr(term))

    def _for(self, rule: Tree, grouping: bool) -> Expr:
        intro, *rest = _subtrees(rule)
        condition = rest.pop() if rest and rest[-1].data == "for_cond" else None
        *iterators, iterable = _subtrees(intro)
        names = [_token_text(i) for i in iterators]
        key_var, value_var = (names[0], names[1]) if len(names) > 1 else (None, names[0])
        key = self.expr(rest[0]) if len(rest) > 1 else None
        return ForExpr(
            self.location(rule),
            self.source(rule),
            key_var,
            value_var,
            self.expr(iterable),
            key,
            self.expr(rest[-1]),
            self.expr(_subtrees(condition)[0]) if condition is not None else None,
            grouping,
        )

    def _for_tuple_expr(self, rule: Tree) -> Expr:
        return self._for(rule, grouping=False)

    def _for_object_expr(self, rule: Tree) -> Expr:
        grouping = any(_is_token(c, "ELLIPSIS") for c in rule.children)
        return self._for(rule, grouping)

    def _heredoc_template(self, rule: Tree) -> Expr:
        return self.heredoc(rule)

    _heredoc_template_trim = _heredoc_template

    # -- strings --------------------------------------------------------------------

    def string(self, rule: Tree) -> Expr:
        """A quoted string: escapes resolved, each character mapped to its column."""
        location = self.location(rule)
        source = self.source(rule)
        parts: list[Expr] = []
        string_parts = rule.children[1:-1]  # between the quotes
        check_directives(string_parts)
        for part in string_parts:
            content = part.children[0]
            if not isinstance(content, str):
                if content.data == "interpolation":
                    parts.append(self.expr(content.children[1]))
                    continue
                return Opaque(location, source, "template directives (%{…}) are not evaluated")
            raw = str(content)
            line, column = self.position(part.meta.line, part.meta.column)
            if _is_token(content, "STRING_CHARS"):
                text, text_map = unescape(raw, self.file, line, column)
            else:  # $${ and %%{ stand for themselves, without the doubled sign
                text = raw[1:]
                text_map = TextMap((Anchor(0, Location(self.file, line, column + 1)),))
            parts.append(Literal(self.location(part), raw, text, text_map))
        return joined(parts, location, source)

    def heredoc(self, rule: Tree) -> Expr:
        raw = str(rule.children[0])
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
        start_line, _ = self.position(rule.meta.line, 1)
        anchors, pieces, offset = [], [], 0
        for number, text in enumerate(body):
            anchors.append(Anchor(offset, Location(self.file, start_line + 1 + number, indent + 1)))
            pieces.append(text[indent:] + "\n")
            offset += len(pieces[-1])
        text = "".join(pieces)
        text_map = TextMap(tuple(anchors) or (Anchor(0, location),))
        return scan_template(text, text_map, location, raw, self.snippet)


# object keys that stand for themselves (the transformer's ObjectElemKeyRule)
_KEY_TERMS = frozenset({"identifier", "string", "int_lit", "float_lit", "literal_value"})
_OPENERS = {"template_if_start": "if", "template_for_start": "for"}
_CLOSERS = {"template_endif": "if", "template_endfor": "for"}


def check_directives(parts: list[Any]) -> None:
    """An ``%{ if }`` or ``%{ for }`` without its end is a syntax error, as python-hcl2's
    transformer reports it."""
    open_directives: list[str] = []
    for part in parts:
        content = part.children[0]
        if isinstance(content, str):
            continue
        if content.data in _OPENERS:
            open_directives.append(_OPENERS[content.data])
        elif open_directives and open_directives[-1] == _CLOSERS.get(content.data):
            open_directives.pop()  # another directive's end is text of this one
    if open_directives:  # the innermost, which the transformer meets first
        kind = open_directives[-1]
        raise SyntaxProblem(f"cannot parse: Unterminated template {kind} directive")
