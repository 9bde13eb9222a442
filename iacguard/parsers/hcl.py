"""Terraform source → the resolver's syntax tree (``iacguard.resolve.hcl``).

Native HCL is parsed with python-hcl2's grammar (by ``hcl_lalr``, iacguard's run of its
tables, where they match the installed python-hcl2; else by lark, imported lazily: it is
slow to import), and the tree read into syntax by ``hcl_tree``. Heredoc bodies are
single tokens in that tree, so their interpolations are found here, and so are those of
``.tf.json`` strings and ``templatefile`` files; each ``${…}`` is parsed on its own.
"""

from __future__ import annotations

from typing import Any

from iacguard.model import Location
from iacguard.parsers import hcl_tables
from iacguard.parsers.hcl_text import scan_template
from iacguard.parsers.hcl_tree import Converter, SyntaxProblem
from iacguard.parsers.source import brackets_too_deep, nested_too_deeply
from iacguard.resolve.hcl import Expr, FileSyntax, Opaque
from iacguard.text_map import TextMap

__all__ = ["SyntaxProblem", "parse_hcl", "parse_template"]

_SNIPPET_PREFIX = "x = "


def parse_hcl(text: str, file: str) -> FileSyntax:
    """A ``.tf`` or ``.tfvars`` file."""
    tree = _parse_tree(text)
    try:
        return Converter(file, text, _snippet).syntax(tree)
    except RecursionError:
        raise _too_deep() from None


def parse_template(text: str, text_map: TextMap, location: Location) -> Expr:
    """A template (heredoc body, ``templatefile`` file, ``.tf.json`` string)."""
    return scan_template(text, text_map, location, text, _snippet)


def _too_deep() -> SyntaxProblem:
    return SyntaxProblem(nested_too_deeply(), kind="limit")


# -- parsing with python-hcl2 -------------------------------------------------------------


def _parse_tree(text: str) -> Any:
    from iacguard.parsers.hcl_lalr import Unexpected

    if brackets_too_deep(text):  # the tree is built one level per call, slowly
        raise _too_deep()
    try:
        # the newline works around lark's missing end-of-file token, as hcl2 does
        return hcl_tables.parser().parse(text + "\n")
    except Unexpected as exc:
        if exc.token is None:
            char = text[exc.pos] if exc.pos < len(text) else ""
            raise SyntaxProblem(f"unexpected character {char!r}", exc.line, exc.column) from None
        raise SyntaxProblem(_unexpected(exc.token), exc.line, exc.column) from None
    except RecursionError:
        raise _too_deep() from None
    except Exception as exc:
        raise _lark_problem(exc, text) from None


def _lark_problem(exc: Exception, text: str) -> SyntaxProblem:
    """What lark's parser (used where iacguard's tables do not match the installed
    python-hcl2) raised, as the same problems iacguard's own run of them reports."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

    if isinstance(exc, UnexpectedToken):
        return SyntaxProblem(_unexpected(exc.token), exc.line, exc.column)
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        return SyntaxProblem(f"unexpected character {char!r}", exc.line, exc.column)
    if isinstance(exc, UnexpectedEOF):
        return SyntaxProblem("unexpected end of file", text.count("\n") + 1)
    if isinstance(exc, VisitError):
        if isinstance(exc.orig_exc, RecursionError):
            return _too_deep()
        return SyntaxProblem(f"cannot parse: {_first_line(str(exc.orig_exc))}")
    # hcl2 raises RuntimeError/ValueError for some bad input
    return SyntaxProblem(f"cannot parse: {_first_line(str(exc))}")


def _unexpected(token: Any) -> str:
    if token.type == "$END":
        return "unexpected end of file"
    value = str(token.value).strip()
    if not value:
        return "unexpected end of line"
    return f"unexpected {_first_line(value)[:40]!r}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


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
        rule = next(c for c in tree.children[0].children if c.data == "attribute")
        return Converter(where.file, snippet, _snippet, position).expr(rule.children[2])
    except (SyntaxProblem, StopIteration):
        return Opaque(where, stripped, "the interpolation cannot be parsed")
