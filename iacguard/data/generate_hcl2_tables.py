"""Regenerate ``hcl2_tables.json``, python-hcl2's parser as plain tables, from the
installed python-hcl2 and lark.

Run from the repository root after upgrading python-hcl2::

    python3 -m iacguard.data.generate_hcl2_tables

python-hcl2 parses with lark: 80 ms to import lark and python-hcl2, 70 ms to load the
LALR tables, and a parse that spends most of its time in lark's layers of wrappers.
``iacguard.parsers.hcl_lalr`` runs the same LALR tables, the same contextual lexer and
python-hcl2's post-lexer pass in one loop, and builds the tree lark builds (same rule
names, children and positions; the tests compare the two on every fixture). This
script reads what it needs out of a lark parser built from python-hcl2's grammar:

- ``key``: SHA-256 of python-hcl2's ``hcl2.lark`` and ``postlexer.py``; where the
  installed files differ, iacguard parses with lark as python-hcl2 does;
- ``start``/``end``: the parser's start and end states;
- ``actions[state]``: ``{symbol: n}``, shift to state ``n`` when ``n >= 0``, reduce by
  rule ``-1 - n`` otherwise;
- ``rules[i]``: ``[tree name, symbols taken, origin, expand a single child, children
  kept ([index, inline its children, placeholders before]) or null for all,
  placeholders after]``, as lark's tree builder shapes each rule's tree;
- ``lexers[i]``: ``[regular expression, {terminal: {keyword: terminal}}]``, one per set
  of terminals a parser state accepts (lark's contextual lexer); keywords a terminal
  also matches change its type, as lark's ``UnlessCallback`` does; ``state_lexers``
  gives each state's lexer, ``root_lexer`` the one lark tries for an error message;
- ``ignore``, ``newline_types``, ``newline``: skipped terminals, terminals whose text
  may hold a newline, and the terminal python-hcl2's post-lexer merges into a following
  operator of ``operators``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iacguard.parsers.hcl_lalr import installed_key

OUTPUT = Path(__file__).with_name("hcl2_tables.json")


def tables() -> dict[str, Any]:
    """The tables of the installed python-hcl2's parser."""
    import hcl2.parser
    import hcl2.postlexer
    from lark.parsers.lalr_analysis import Shift

    lark = hcl2.parser.parser()
    options = lark.options
    assert options.parser == "lalr" and options.propagate_positions is True
    assert not options.lexer_callbacks and not options.g_regex_flags
    table = lark.parser.parser._parse_table
    contextual = lark.parser.lexer.lexer
    assert sorted(table.states) == list(range(len(table.states)))
    rules, rule_index = _rules(lark)
    actions = [
        {
            symbol: argument if action is Shift else -1 - rule_index[argument]
            for symbol, (action, argument) in table.states[state].items()
        }
        for state in range(len(table.states))
    ]
    lexers = _Lexers()
    state_lexers = [lexers.index(contextual.lexers[state]) for state in range(len(actions))]
    root = contextual.root_lexer
    return {
        "key": installed_key(),
        "start": table.start_states["start"],
        "end": table.end_states["start"],
        "actions": actions,
        "rules": rules,
        "lexers": lexers.lexers,
        "state_lexers": state_lexers,
        "root_lexer": lexers.index(root),
        "ignore": sorted(root.ignore_types),
        "newline_types": sorted(root.newline_types),
        "newline": "NL_OR_COMMENT",
        "operators": sorted(hcl2.postlexer.OPERATOR_TYPES),
    }


def _rules(lark: Any) -> tuple[list[list[Any]], dict[Any, int]]:
    """Each rule as lark's tree builder shapes its tree, and each rule's index."""
    from lark.parse_tree_builder import (
        ChildFilterLALR,
        ChildFilterLALR_NoPlaceholders,
        ExpandSingleChild,
        ParseTreeBuilder,
        PropagatePositions,
    )
    from lark.tree import Tree

    builder = ParseTreeBuilder(lark.rules, Tree, True, False, lark.options.maybe_placeholders)
    rules: list[list[Any]] = []
    rule_index: dict[Any, int] = {}
    for rule, chain in builder.rule_builders:
        assert PropagatePositions in chain
        expand1 = ExpandSingleChild in chain
        kept: list[list[int]] | None = None
        after = 0
        for wrapper in chain:
            if wrapper in (ExpandSingleChild, PropagatePositions):
                continue
            if wrapper.func is ChildFilterLALR:
                kept = [[i, int(expand), nones] for i, expand, nones in wrapper.args[0]]
                after = wrapper.args[1]
            elif wrapper.func is ChildFilterLALR_NoPlaceholders:
                kept = [[i, int(expand), 0] for i, expand in wrapper.args[0]]
            else:
                raise AssertionError(f"a tree builder iacguard does not know: {wrapper}")
        name = rule.alias or rule.options.template_source or rule.origin.name
        rule_index[rule] = len(rules)
        rules.append([str(name), len(rule.expansion), rule.origin.name, expand1, kept, after])
    return rules, rule_index


class _Lexers:
    """The contextual lexer's lexers, each once: its regular expression and keywords."""

    def __init__(self) -> None:
        self.lexers: list[list[Any]] = []
        self._seen: dict[int, int] = {}

    def index(self, lexer: Any) -> int:
        from lark.lexer import PatternStr, UnlessCallback

        if id(lexer) not in self._seen:
            scanner = lexer.scanner
            assert len(scanner._mres) == 1, "one regular expression per lexer"
            keywords = {}
            for terminal, callback in lexer.callback.items():
                assert isinstance(callback, UnlessCallback), callback
                words = {}
                for keyword in callback.scanner.terminals:
                    assert isinstance(keyword.pattern, PatternStr) and not keyword.pattern.flags
                    words[keyword.pattern.value] = keyword.name
                keywords[terminal] = words
            self._seen[id(lexer)] = len(self.lexers)
            self.lexers.append([scanner._mres[0].pattern, keywords])
        return self._seen[id(lexer)]


def main() -> None:
    OUTPUT.write_text(json.dumps(tables(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
