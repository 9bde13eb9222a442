"""python-hcl2's parser, run from plain tables without lark.

A cold scan of a hundred ``.tf`` files spent 80 ms importing lark and python-hcl2, 70 ms
loading lark's tables and most of its parse in lark's layers of wrappers. This module
runs the same LALR tables (``iacguard/data/hcl2_tables.json``, written from python-hcl2's
grammar by ``iacguard.data.generate_hcl2_tables``), the same contextual lexer and the
same post-lexer pass in one loop, and builds the tree lark builds: the same rule names,
children, tokens and positions (``meta``), which ``hcl_tree`` reads. The tests compare
the two trees on every fixture.

The tables are used only when they were written from the installed python-hcl2's
grammar and post-lexer (``key``); otherwise ``parser()`` is ``None`` and the parse goes
through lark, as python-hcl2's own does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

_TABLES = Path(__file__).parent.parent / "data" / "hcl2_tables.json"
_SOURCES = ("hcl2.lark", "postlexer.py")  # python-hcl2's grammar and post-lexer pass


class Token(str):
    """A terminal, as lark's ``Token``: its text, ``type`` and positions."""

    __slots__ = (
        "column",
        "end_column",
        "end_line",
        "end_pos",
        "line",
        "start_pos",
        "type",
        "value",
    )

    type: str
    value: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int


class Tree:
    """A rule, as lark's ``Tree``: ``data`` (its name), ``children`` and ``meta`` (its
    positions; here the tree itself, as lark's ``propagate_positions`` sets them)."""

    __slots__ = (
        "children",
        "column",
        "data",
        "empty",
        "end_column",
        "end_line",
        "end_pos",
        "line",
        "start_pos",
    )

    data: str
    children: list[Any]
    empty: bool
    line: int | None
    column: int
    start_pos: int
    end_line: int | None
    end_column: int
    end_pos: int

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children
        self.empty = True
        self.line = None
        self.end_line = None

    @property
    def meta(self) -> Tree:
        return self

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


class Unexpected(Exception):
    """The text is not HCL: ``token`` is the token the parser could not take, or
    ``None`` for a character no terminal matches (at ``pos``, ``line``, ``column``)."""

    def __init__(self, token: Token | None, pos: int, line: int, column: int) -> None:
        super().__init__(f"unexpected input at line {line}, column {column}")
        self.token = token
        self.pos = pos
        self.line = line
        self.column = column


def _token(kind: str, value: str, start: int, line: int, column: int) -> Token:
    token = Token(value)
    token.type = kind
    token.value = value
    token.start_pos = start
    token.line = line
    token.column = column
    return token


_PASS, _ALL, _SOME = 0, 1, 2  # a rule's tree: its one child's, all its children, some


class Parser:
    """One grammar's tables; ``parse`` is lark's ``Lark.parse`` for python-hcl2."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.start: int = tables["start"]
        self.end: int = tables["end"]
        self.actions: list[dict[str, int]] = tables["actions"]
        self.rules = [_rule(rule) for rule in tables["rules"]]
        self.lexers: list[list[Any]] = tables["lexers"]
        self.state_lexers: list[int] = tables["state_lexers"]
        self.root_lexer: int = tables["root_lexer"]
        self.ignore = frozenset(tables["ignore"])
        self.newline_types = frozenset(tables["newline_types"])
        self.newline: str = tables["newline"]
        self.operators = frozenset(tables["operators"])
        # compiled on first use, as lark does: a file reaches a few of the 100-odd lexers
        self._compiled: dict[int, tuple[Any, dict[str, dict[str, str]]]] = {}
        # (below, top, token kind) → the state a chain of ``?rule`` reductions ends in
        self.chains: dict[tuple[int, int, str], int] = {}
        # each state's, once asked for (a lookup for every token)
        self._by_state: list[tuple[Any, dict[str, dict[str, str]]] | None] = [None] * len(
            self.state_lexers
        )

    def chain(self, below: int, top: int, kind: str) -> int:
        """The state on top once the rules that pass their one child on (``?rule``, an
        expression's eight levels of precedence) are reduced, from ``top`` over ``below``
        with a ``kind`` token next: the stack beneath is the same all along, so it is
        kept for the next time."""
        start = top
        while True:
            action = self.actions[top].get(kind)
            if action is None or action >= 0:
                break
            _, _, origin, shape, _, _ = self.rules[-1 - action]
            if shape != _PASS:
                break
            top = self.actions[below][origin]
        self.chains[below, start, kind] = top
        return top

    def lexer(self, state: int) -> tuple[Any, dict[str, dict[str, str]]]:
        """The matcher of the terminals ``state`` accepts, and their keywords."""
        lexer = self._by_state[state]
        if lexer is None:
            lexer = self._by_state[state] = self._lexer(self.state_lexers[state])
        return lexer

    def _lexer(self, index: int) -> tuple[Any, dict[str, dict[str, str]]]:
        lexer = self._compiled.get(index)
        if lexer is None:
            pattern, keywords = self.lexers[index]
            lexer = self._compiled[index] = (re.compile(pattern).match, keywords)
        return lexer

    def parse(self, text: str) -> Tree:
        run = _Run(self, text)
        for token in run.tokens():
            run.feed(token)
        return run.end()

    def unexpected(self, text: str, pos: int, line: int, column: int) -> Unexpected:
        """What lark's contextual lexer reports where no terminal of the state matches:
        the token the whole grammar would read there, else the character."""
        match, keywords = self._lexer(self.root_lexer)
        # (every state's lexer has the ignored terminals: none of them matches here)
        found = match(text, pos)
        if found is None:
            return Unexpected(None, pos, line, column)
        value, kind = found.group(), str(found.lastgroup)
        words = keywords.get(kind)
        token = _token(words.get(value, kind) if words else kind, value, pos, line, column)
        return Unexpected(token, pos, line, column)


def _rule(rule: list[Any]) -> tuple[Any, ...]:
    """A rule of the tables: ``(tree name, symbols taken, origin, shape, kept, after)``."""
    name, size, origin, expand1, kept, after = rule
    if expand1:
        # lark's ``?rule``: every one in python-hcl2's grammar takes one symbol, kept
        if size != 1 or kept is not None or after:
            raise ValueError(f"a ?rule iacguard does not know: {name}")
        return (name, size, origin, _PASS, None, 0)
    return (name, size, origin, _ALL if kept is None else _SOME, kept, after)


class _Run:
    """One parse: lark's contextual lexer, python-hcl2's post-lexer and lark's LALR
    parser with its tree builder (``propagate_positions``, ``maybe_placeholders``)."""

    def __init__(self, parser: Parser, text: str) -> None:
        self.parser = parser
        self.text = text
        self.states = [parser.start]
        self.values: list[Any] = []
        self.last: Token | None = None  # the last token fed, where the end is placed

    def tokens(self) -> Iterator[Token]:
        """The tokens, each read with the terminals the parser's state accepts at the
        time; a newline is held back and merged into a binary operator that follows it
        (python-hcl2's post-lexer), so the token after a newline is read in the state
        before the newline is fed, as with python-hcl2."""
        parser, text, states = self.parser, self.text, self.states
        ignore, newline_types = parser.ignore, parser.newline_types
        newline, operators = parser.newline, parser.operators
        pos, line, line_start, length = 0, 1, 0, len(text)
        pending: Token | None = None
        by_state = parser._by_state
        while pos < length:
            match, keywords = by_state[states[-1]] or parser.lexer(states[-1])
            found = match(text, pos)
            if found is None:
                raise parser.unexpected(text, pos, line, pos - line_start + 1)
            value = found.group()
            kind = found.lastgroup
            start, token_line, column = pos, line, pos - line_start + 1
            if kind in newline_types:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = pos + value.rindex("\n") + 1
            pos += len(value)
            if kind in ignore:
                continue
            token = _token(kind, value, start, token_line, column)
            token.end_line, token.end_column, token.end_pos = line, pos - line_start + 1, pos
            words = keywords.get(kind)
            if words is not None:
                token.type = words.get(value, kind)
            if token.type == newline:
                if pending is not None:
                    yield pending
                pending = token
                continue
            if pending is not None:
                if token.type in operators:
                    token = _borrow(token.type, pending + token, token)
                else:
                    yield pending
                pending = None
            yield token
        if pending is not None:
            yield pending

    def feed(self, token: Token, is_end: bool = False) -> Any:
        """lark's ``ParserState.feed_token``: reduce while the state says so, then
        shift the token (or, at the end, return the tree)."""
        actions, rules, states, values = (
            self.parser.actions,
            self.parser.rules,
            self.states,
            self.values,
        )
        self.last = token
        chains = self.parser.chains
        while True:
            action = actions[states[-1]].get(token.type)
            if action is None:
                raise Unexpected(token, token.start_pos, token.line, token.column)
            if action >= 0:
                states.append(action)
                values.append(token)
                return None
            name, size, origin, shape, kept, after = rules[-1 - action]
            if shape == _PASS:  # the child is the rule's tree, positions and all
                if is_end:
                    del states[-1]
                    state = actions[states[-1]][origin]
                    states.append(state)
                else:  # and the ones after it, at once
                    key = (states[-2], states[-1], token.type)
                    known = chains.get(key)
                    state = self.parser.chain(*key) if known is None else known
                    states[-1] = state
            else:
                if size:
                    children = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    children = []
                value = Tree(name, children if shape == _ALL else _shaped(children, kept, after))
                _place(value, children)
                state = actions[states[-1]][origin]
                states.append(state)
                values.append(value)
            if is_end and state == self.parser.end:
                return values[-1]

    def end(self) -> Tree:
        last = self.last
        end = _token("$END", "", 0, 1, 1) if last is None else _borrow("$END", "", last)
        tree: Tree = self.feed(end, True)
        return tree


def _shaped(children: list[Any], kept: list[list[int]], after: int) -> list[Any]:
    """lark's ``ChildFilterLALR``: the children a rule's tree keeps, with the children
    of its ``_inlined`` rules and ``None`` for each ``[optional]`` part left out."""
    shaped: list[Any] = []
    for index, inline, nones in kept:
        if nones:
            shaped += [None] * nones
        if inline:
            if shaped:
                shaped += children[index].children
            else:
                shaped = children[index].children
        else:
            shaped.append(children[index])
    if after:
        shaped += [None] * after
    return shaped


def _borrow(kind: str, value: str, where: Token) -> Token:
    """lark's ``Token.new_borrow_pos``: a token placed where ``where`` is."""
    token = _token(kind, value, where.start_pos, where.line, where.column)
    token.end_line, token.end_column, token.end_pos = (
        where.end_line,
        where.end_column,
        where.end_pos,
    )
    return token


def _place(tree: Tree, children: list[Any]) -> None:
    """lark's ``PropagatePositions`` for a tree just made: it starts where its first
    child with a position starts and ends where its last one ends, counting the children
    it left out (punctuation, inlined rules). (lark also keeps a ``container_`` position,
    what a parent counts; a tree placed once, as each is here, has its own there.)"""
    for first in children:  # a token, or a tree that is not empty
        if type(first) is Token or (type(first) is Tree and not first.empty):
            break
    else:  # no child has a position (then none has an end either)
        return
    for last in reversed(children):
        if type(last) is Token or (type(last) is Tree and not last.empty):
            break
    tree.line, tree.column, tree.start_pos = first.line, first.column, first.start_pos
    tree.end_line, tree.end_column, tree.end_pos = last.end_line, last.end_column, last.end_pos
    tree.empty = False


@functools.cache
def parser() -> Parser | None:
    """The parser for the installed python-hcl2, or ``None`` when the tables were
    written from another grammar (or cannot be read): lark parses then."""
    try:
        tables = json.loads(_TABLES.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(tables, dict) or tables.get("key") != installed_key():
        return None
    try:
        return Parser(tables)
    except (KeyError, TypeError, ValueError):  # a damaged install: lark still parses
        return None


def installed_key() -> str | None:
    """SHA-256 of the installed python-hcl2's grammar and post-lexer (``None`` when it
    is not installed), read without importing python-hcl2 (which imports lark)."""
    spec = find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for name in _SOURCES:
        try:
            digest.update((folder / name).read_bytes())
        except OSError:
            return None
    return digest.hexdigest()
