"""iacguard's run of python-hcl2's parse tables (``iacguard.parsers.hcl_lalr``) builds
the tree lark builds, and reports the errors lark reports, at the same places."""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, ROOT, described, run, scan_imports

from iacguard.data import generate_hcl2_tables
from iacguard.parsers import hcl_lalr, hcl_tables

POSITIONS = ("line", "column", "start_pos", "end_line", "end_column", "end_pos")


@functools.cache
def _ours() -> list[hcl_lalr.Parser]:
    """Parsers of the shipped tables (unless they are of another python-hcl2: then lark
    parses, see the last tests) and of tables written now from the installed python-hcl2
    (lark numbers its states differently from one process to the next: the same
    grammar, other tables)."""
    shipped = hcl_lalr.parser()
    written = hcl_lalr.Parser(generate_hcl2_tables.tables())
    return [written] if shipped is None else [shipped, written]


def _larks() -> Any:
    return hcl_tables.lark_parser()


def _shape(node: Any) -> Any:
    """Everything ``hcl_tree`` may read of a tree: names, children, tokens, positions."""
    if node is None:
        return None
    if isinstance(node, str):
        return ("token", node.type, str(node), *(getattr(node, p) for p in POSITIONS))
    meta = node.meta
    where = () if meta.empty else tuple(getattr(meta, p) for p in POSITIONS)
    return (node.data, where, [_shape(child) for child in node.children])


def _outcome(parser: Any, text: str) -> Any:
    """The tree's shape, or where the parse stopped and on what."""
    try:
        return _shape(parser.parse(text + "\n"))
    except hcl_lalr.Unexpected as error:
        token = error.token
        return ("error", error.line, error.column, token and (token.type, str(token)))
    except Exception as error:  # lark's UnexpectedToken / UnexpectedCharacters
        token = getattr(error, "token", None)
        return ("error", error.line, error.column, token and (token.type, str(token)))  # type: ignore[attr-defined]


def _terraform_files() -> list[Path]:
    return sorted(
        path
        for pattern in ("*.tf", "*.tfvars")
        for path in FIXTURES.rglob(pattern)
        if path.is_file()
    )


def test_every_terraform_fixture_parses_to_larks_tree() -> None:
    files = _terraform_files()
    assert len(files) > 80
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for ours in _ours():
            assert _outcome(ours, text) == _outcome(_larks(), text), path


# Every form the grammar has, and the corners its lexer and post-lexer handle.
VALID = [
    "",
    "\n\n",
    "# only a comment",
    'resource "aws_iam_role" "r" {\n  name = "r"\n}\n',
    'a = 1\r\nb = "x"\r\n',  # CRLF
    "a = 1 // comment\nb = 2 # comment\n/* block\ncomment */ c = 3\n",
    "a = 1 +\n  2",
    "a = (1\n  + 2)",  # a newline merged into the operator that follows it
    "a = x\n  ? 1\n  : 2",
    "a = x ? y : z\nb = -1\nc = !d",
    "a = 1 == 2 && 3 != 4 || 5 < 6 && 7 >= 8",
    "a = 1 * 2 / 3 % 4 - 5",
    'a = "${var.x}-${local.y[0]}"',
    'a = "%{ if x }yes%{ else }no%{ endif }"',
    'a = "%{ for k, v in m ~}${k}%{ endfor }"',
    'a = "$${not} %%{not} $ % \\" \\n"',
    "a = <<EOF\nline ${var.x}\nEOF\n",
    "a = <<-EOT\n    indented\n    EOT\n",
    "a = <<EOF\r\ncrlf\r\nEOF\r\n",
    'a = [for s in var.list : upper(s) if s != ""]',
    "a = {for k, v in var.map : k => v...}",
    "a = var.list[*].id\nb = var.list.*.id\nc = var.x.0.y",
    "a = provider::aws::arn_parse(x)",
    "a = f(x, y...)\nb = g(\n  1,\n  2,\n)",
    'a = {\n  in = 1\n  for = 2\n  "k" = 3\n  (var.k) = 4\n  x: 5,\n}',
    "in {\n  if = 1\n}\nfor_each = 2",
    "a = [\n  1,\n  2\n]\nb = []",
    "a = 1.5e-3\nb = -2\nc = 0.0",
    "a = true\nb = false\nc = null",
    'block "a" b {\n  nested {\n  }\n}',
    "a = {}\nb = {\n}",
    "a\t=\t1",
    'a = "é ünïcödé ✓"',
]


INVALID = [
    "a = ",
    "a = [1,",
    'resource "x" {',
    "= 1",
    'a = "x',
    "a = 1 ~ 2",
    "a = @",
    "}",
    "a = 1\nb = 2 2",
    "a = <<EOF\nx\n",
    "a = 1 +",
    "a = {for k in x : k}",
    "a = f(,)",
    "a = x.",
    '"a" = 1',
    "a = 1 if",
    "\x00",
    "a = \\",
    "\\",
]


@pytest.mark.parametrize(
    ("text", "valid"), [(t, True) for t in VALID] + [(t, False) for t in INVALID]
)
def test_every_form_and_error_is_larks(text: str, valid: bool) -> None:
    """The same tree, or the same error at the same place."""
    for parser in _ours():
        ours = _outcome(parser, text)
        assert (ours[0] != "error") is valid, ours
        assert ours == _outcome(_larks(), text)


# what a mutation puts into a text: the grammar's punctuation, openers and keywords
PIECES = [*'{}[]()"=:,.*?!<>+-/%&|~$#\n\t \\ax09', "${", "%{", "<<EOF\n", "\nEOF\n"]
PIECES += ["...", "=>", "::", "for ", " in ", "if ", "\r\n", "/*", "*/", "//", "é"]


@pytest.mark.slow  # 600 parses with lark
def test_mutated_fixtures_parse_and_fail_as_with_lark() -> None:
    """Fixtures with a few characters inserted, deleted or replaced, at random (seeded):
    the same tree or the same error at the same place (7,649 such cases, all alike,
    when hcl_lalr was written)."""
    texts = [p.read_text(encoding="utf-8") for p in _terraform_files() if p.suffix == ".tf"]
    texts = [text for text in texts if text]
    rng = random.Random(0)
    errors = 0
    for _ in range(300):
        chars = list(rng.choice(texts))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(chars))
            if rng.random() < 0.4:
                chars.insert(at, rng.choice(PIECES))
            elif rng.random() < 0.5:
                del chars[at]
            else:
                chars[at] = rng.choice(PIECES)
        text = "".join(chars)
        ours = _outcome(_ours()[0], text)
        assert ours == _outcome(_larks(), text), text
        errors += ours[0] == "error"
    assert 100 < errors < 300  # both kinds of outcome were compared


def test_errors_name_the_token_or_the_character() -> None:
    ours = _ours()[0]
    assert _outcome(ours, "a = 1\nb = 2 2") == ("error", 2, 7, ("INT_LITERAL", "2"))
    # not a terminal where it is, but one of the grammar's: lark names the token
    assert _outcome(ours, "a = @") == ("error", 1, 5, ("STRING_CHARS", "@\n"))
    assert _outcome(ours, "a = \\") == ("error", 1, 5, None)  # no terminal matches


def test_the_shipped_tables_are_the_installed_python_hcl2s_or_lark_parses() -> None:
    shipped = json.loads((ROOT / "iacguard/data/hcl2_tables.json").read_text(encoding="utf-8"))
    if shipped["key"] == hcl_lalr.installed_key():
        # (the tests above check that they parse as lark does)
        assert isinstance(hcl_tables.parser(), hcl_lalr.Parser)
        assert len(_ours()) == 2
    else:  # a python-hcl2 released after them, with another grammar: lark parses it
        assert hcl_lalr.parser() is None
        assert not isinstance(hcl_tables.parser(), hcl_lalr.Parser)


def test_tables_of_another_grammar_leave_the_parse_to_lark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixture = FIXTURES / "terraform" / "local_module"
    expected = described(run(fixture))
    assert expected
    monkeypatch.setattr(hcl_lalr, "installed_key", lambda: "another python-hcl2")
    hcl_lalr.parser.cache_clear()
    hcl_tables.parser.cache_clear()
    try:
        assert hcl_lalr.parser() is None
        assert hcl_tables.parser() is hcl_tables.lark_parser()
        assert described(run(fixture)) == expected
    finally:
        hcl_lalr.parser.cache_clear()
        hcl_tables.parser.cache_clear()


@pytest.mark.parametrize("damaged", ['{"key": ', '{"key": "%s"}', '{"key": "%s", "start": []}'])
def test_unreadable_tables_leave_the_parse_to_lark(
    damaged: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "hcl2_tables.json"
    broken.write_text(damaged.replace("%s", str(hcl_lalr.installed_key())), encoding="utf-8")
    monkeypatch.setattr(hcl_lalr, "_TABLES", broken)
    hcl_lalr.parser.cache_clear()
    try:
        assert hcl_lalr.parser() is None
    finally:
        hcl_lalr.parser.cache_clear()


def test_a_terraform_scan_does_not_import_lark() -> None:
    done, code, modules = scan_imports("check", "fixtures/terraform/local_module", "--no-cache")
    assert "local_module/main.tf:5:14  CRITICAL  IG002  module.admin" in done.stdout
    assert code == 1
    assert not {"lark", "hcl2"} & modules
