"""The errors reading a CloudFormation template reports: those cfn-lint's decoder reports
(syntax, duplicate and null keys, tags without a constructor, numbers too long), in our
words, with the line and column where it has them."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError

from iacguard.errors import ErrorKind
from iacguard.parsers.source import nested_too_deeply
from iacguard.resolve.marks import Span


class DecodeError(Exception):
    """A template that cannot be read; ``message`` is what a user sees, ``kind`` says
    whether the text is broken (``parse``) or ran into one of the reader's limits."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        kind: ErrorKind = "parse",
    ):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.kind = kind


def too_deep(line: int | None = None) -> DecodeError:
    return DecodeError(nested_too_deeply(), line, kind="limit")


def no_constructor(tag: str, mark: Any) -> ConstructorError:
    return ConstructorError(
        None, None, f"could not determine a constructor for the tag {tag!r}", mark
    )


def named(problem: str, anchor: str) -> str:
    """The composer's message: libyaml's does not name the anchor, PyYAML's does."""
    return problem if yaml.__with_libyaml__ else f"{problem} {anchor!r}"


def null_key(text: str, span: Span) -> DecodeError:
    """A mapping key that is null, which cfn-lint refuses."""
    line, column, _, end_column = span
    written = text.split("\n", line + 1)[line][column:end_column]
    message = f"cannot parse template: Null key {written!r} not supported (line {line + 1})"
    return DecodeError(message, line + 1, column + 1)


def duplicate_key(key: Any, earlier: Span | None) -> DecodeError:
    """A key written twice in a mapping; ``earlier``: where the first one is."""
    if earlier is None or not isinstance(key, str):
        name = type(key).__name__
        return DecodeError(f"'{name}' object has no attribute 'start_mark'")
    line, column = earlier[0], earlier[1]
    message = f"Duplicate found {key!r} (line {line + 1})"
    return DecodeError(f"cannot parse template: {message}", line + 1, column + 1)


def syntax(error: yaml.MarkedYAMLError) -> DecodeError:
    """A scanner or parser error, where cfn-lint reports it."""
    mark = error.problem_mark
    if _libyaml_depth(error) and mark is not None:  # libyaml 0.2.6 stops at its own depth
        return too_deep(mark.line + 1)
    message = f"cannot parse template: {' '.join(str(error.problem).split())}"
    if mark is None:
        return DecodeError(_short(message))
    return DecodeError(_short(message), mark.line + 1, mark.column + 1)


def _libyaml_depth(error: yaml.YAMLError) -> bool:
    """libyaml 0.2.6 (PyYAML 6.0.4's wheels) refuses nesting past its own limit while it
    looks ahead, before the builder counts to ``MAX_NESTING``: the same error, said ours."""
    return "maximum nesting depth" in str(getattr(error, "problem", "") or "")


def unreadable(error: Exception) -> DecodeError:
    """What cfn-lint reports as "Template could not be parsed", without a position."""
    if isinstance(error, DecodeError):
        return error
    text = " ".join(str(error).split())
    if "integer string conversion" in text:
        message = "a number has more than 4,300 digits; the template is not read"
        return DecodeError(message, kind="limit")
    return DecodeError(_short(f"cannot parse template: Template could not be parsed: {text}"))


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."
