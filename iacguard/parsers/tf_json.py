""".tf.json and .tfvars.json: the same configuration, written as JSON.

Strings are templates, as in Terraform (``"${var.x}"``), except in variable defaults and
``.tfvars.json``, where JSON values are taken literally. Nested blocks are told from
attributes by name (``statement``, ``inline_policy``…): JSON has no syntax for them.
"""

from __future__ import annotations

from iacguard.model import Unknown
from iacguard.parsers.hcl import SyntaxProblem, parse_template
from iacguard.parsers.located_json import JsonProblem, decode
from iacguard.resolve.hcl import (
    Attribute,
    Block,
    Expr,
    FileSyntax,
    Literal,
    ObjectExpr,
    Opaque,
    TupleExpr,
)
from iacguard.resolve.terraform_values import Located, TfValue, text_of
from iacguard.text_map import TextMap

# Block types written as nested JSON objects (everything else is an attribute).
JSON_BLOCK_TYPES = frozenset(
    {"statement", "principals", "not_principals", "condition", "inline_policy", "lifecycle"}
)
_LABELS = {"resource": 2, "data": 2, "variable": 1, "module": 1, "output": 1, "locals": 0}


def parse_tf_json(text: str, file: str) -> FileSyntax:
    root = _decode(text, file)
    syntax = FileSyntax(file)
    if not isinstance(root, Located) or not isinstance(root.value, dict):
        raise SyntaxProblem("a .tf.json file must hold a JSON object", 1, 1)
    for kind, value in root.value.items():
        if kind in _LABELS:
            for labels, body in _bodies(value, _LABELS[kind]):
                syntax.blocks.append(_block(kind, labels, body))
    return syntax


def parse_tfvars_json(text: str, file: str) -> FileSyntax:
    root = _decode(text, file)
    syntax = FileSyntax(file)
    if isinstance(root, Located) and isinstance(root.value, dict):
        for name, value in root.value.items():
            syntax.attributes[name] = Attribute(name, literal_expr(value), value.location)
    return syntax


def _decode(text: str, file: str) -> TfValue:
    try:
        return decode(text, TextMap.of_text(file, text))
    except JsonProblem as problem:
        loc = problem.location
        raise SyntaxProblem(problem.shown(), loc.line, loc.column, problem.kind) from None


def _bodies(value: TfValue, depth: int) -> list[tuple[tuple[str, ...], Located]]:
    """The (labels, body) of the blocks under a key: ``depth`` levels of labels, and a
    list wherever a label may repeat."""
    found: list[tuple[tuple[str, ...], Located]] = []

    def walk(node: TfValue, labels: tuple[str, ...], remaining: int) -> None:
        if isinstance(node, Located) and isinstance(node.value, list):
            for item in node.value:
                walk(item, labels, remaining)
        elif isinstance(node, Located) and isinstance(node.value, dict):
            if remaining == 0:
                found.append((labels, node))
                return
            for key, child in node.value.items():
                walk(child, (*labels, key), remaining - 1)

    walk(value, (), depth)
    return found


def _block(kind: str, labels: tuple[str, ...], body: Located) -> Block:
    block = Block(kind, labels, body.location)
    literal = kind == "variable"
    for key, value in body.value.items():
        if key == "//":
            continue
        if key in JSON_BLOCK_TYPES:
            block.blocks.extend(_block(key, (), b) for _, b in _bodies(value, 0))
        elif key == "dynamic" and not literal:
            block.blocks.extend(_block(key, labels, b) for labels, b in _bodies(value, 1))
        else:
            expr = literal_expr(value) if literal else json_expr(value)
            block.attributes[key] = Attribute(key, expr, value.location)
    return block


def json_expr(value: TfValue) -> Expr:
    """A .tf.json value as an expression: strings are templates."""
    if isinstance(value, Unknown):
        return Opaque(value.location, value.expression, value.why)
    if not isinstance(value, Located):
        return Opaque(value.location, "", "not an expression")
    data = value.value
    text = text_of(value)
    if isinstance(data, str):
        loc = value.location
        text_map = value.text_map or TextMap.of_text(loc.file, data, loc.line, loc.column + 1)
        return parse_template(data, text_map, loc)
    if isinstance(data, list):
        return TupleExpr(value.location, text, tuple(json_expr(v) for v in data))
    if isinstance(data, dict):
        entries = tuple(
            (Literal(v.location, k, k), json_expr(v)) for k, v in data.items() if k != "//"
        )
        return ObjectExpr(value.location, text, entries)
    return Literal(value.location, text, data)


def literal_expr(value: TfValue) -> Expr:
    """A JSON value taken literally (variable defaults, .tfvars.json): no templates."""
    if isinstance(value, Unknown):
        return Opaque(value.location, value.expression, value.why)
    if not isinstance(value, Located):
        return Opaque(value.location, "", "not a value")
    data = value.value
    text = text_of(value)
    if isinstance(data, list):
        return TupleExpr(value.location, text, tuple(literal_expr(v) for v in data))
    if isinstance(data, dict):
        entries = tuple((Literal(v.location, k, k), literal_expr(v)) for k, v in data.items())
        return ObjectExpr(value.location, text, entries)
    if isinstance(data, str):
        loc = value.location
        return Literal(loc, text, data, TextMap.of_text(loc.file, data, loc.line, loc.column + 1))
    return Literal(value.location, text, data)
