"""Parsing: positions inside strings, JSON with positions, and the performance rules
(hcl2 imported lazily, each file parsed once, no garbage collection during a parse)."""

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, run

from iacguard.model import Location, Unknown
from iacguard.parsers.hcl import SyntaxProblem, parse_hcl
from iacguard.parsers.located_json import JsonProblem, decode
from iacguard.resolve.hcl import Literal, Template
from iacguard.resolve.terraform_values import Located, hole_marker
from iacguard.text_map import TextMap


def attribute(source: str, name: str = "a") -> Any:
    return parse_hcl(source, "main.tf").attributes[name].expr


def test_a_quoted_string_maps_each_character_past_its_escapes() -> None:
    expr = attribute('a = "x\\"y\\u00e9z"\n')
    assert isinstance(expr, Literal)
    assert expr.value == 'x"yéz'
    assert expr.text_map is not None
    # z is the 5th character of the value and is written in column 16
    assert expr.text_map.location(4, 5) == Location("main.tf", 1, 16, 1, 17)


def test_an_indented_heredoc_maps_lines_and_trimmed_columns() -> None:
    expr = attribute("a = <<-EOF\n    one\n      two\n  EOF\n")
    assert isinstance(expr, Literal)
    assert expr.value == "one\n  two\n"
    assert expr.text_map is not None
    offset = str(expr.value).index("two")
    assert expr.text_map.location(offset, offset + 3) == Location("main.tf", 3, 7, 3, 10)


def test_heredoc_interpolations_are_parsed_where_they_are_written() -> None:
    expr = attribute("a = <<EOF\nx ${var.y} $${z}\nEOF\n")
    assert isinstance(expr, Template)
    literal, reference, rest = expr.parts
    assert (literal.text, reference.text, reference.location.line) == ("x ", "var.y", 2)
    assert reference.location.column == 5
    assert isinstance(rest, Literal)
    assert rest.value == " ${z}\n"


def test_object_keys_read_as_python_hcl2_reads_them() -> None:
    """Names, keywords, literals and numbers stand for themselves; a key in parentheses
    is an expression."""
    expr = attribute("a = {\n  name = 1\n  in = 2\n  true = 3\n  5 = 4\n  (var.k) = 5\n}\n")
    keys = [(type(k).__name__, k.text, k.location.line, k.location.column) for k, _ in expr.items]
    assert keys == [
        ("Literal", "name", 2, 3),
        ("Literal", "in", 3, 3),
        ("Literal", "true", 4, 3),
        ("Literal", "5", 5, 3),
        ("GetAttr", "var.k", 6, 4),
    ]
    assert [k.value for k, _ in expr.items[:4]] == ["name", "in", "true", "5"]


def test_an_unterminated_template_directive_is_a_syntax_error() -> None:
    with pytest.raises(SyntaxProblem, match=r"^cannot parse: Unterminated template for directive$"):
        parse_hcl('a = "%{ if x }%{ for v in l }${v}%{ endif }"\n', "main.tf")
    expr = attribute('a = "%{ if x }y%{ else }z%{ endif }"\n')
    assert (type(expr).__name__, expr.why) == (
        "Opaque",
        "template directives (%{…}) are not evaluated",
    )


def test_an_escaped_quote_string_is_not_evaluated_and_says_so() -> None:
    """python-hcl2 reads ``\\"x\\"`` as a template string; the reason names its rule."""
    call = parse_hcl('a = "${f(\\"x\\")}"\n', "main.tf").attributes["a"].expr
    (argument,) = call.args
    assert (argument.text, argument.why, argument.location.column) == (
        '\\"x\\"',
        "TemplateStringRule is not evaluated",
        10,
    )


def test_json_values_know_where_they_are_written() -> None:
    text = '{\n  "Action": ["s3:*", 3]\n}'
    tree = decode(text, TextMap.of_text("p.json", text))
    assert isinstance(tree, Located)
    action = tree.value["Action"]
    assert [(v.value, v.location.line, v.location.column) for v in action.value] == [
        ("s3:*", 2, 14),
        (3, 2, 22),
    ]


def test_unknown_interpolations_in_json_become_unknown_values() -> None:
    hole = Unknown("var.x", "no default", Location("main.tf", 9, 3))
    text = '{"Action": "' + hole_marker(0) + '", "Resource": ' + hole_marker(0) + "}"
    tree = decode(text, TextMap.fixed(Location("main.tf", 1, 1)), (hole,))
    assert isinstance(tree, Located)
    assert tree.value["Action"] == Unknown("${var.x}", "no default", Location("main.tf", 1, 1))
    assert tree.value["Resource"] is hole


def test_json_errors_say_where() -> None:
    with pytest.raises(JsonProblem) as error:
        decode('{"a": 1,\n "b" 2}', TextMap.of_text("p.json", '{"a": 1,\n "b" 2}'))
    assert (error.value.message, error.value.location.line) == ("expected ':' after the key", 2)


def test_the_cli_starts_without_importing_hcl2() -> None:
    code = "import sys, iacguard.cli, iacguard.engine; print('hcl2' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert output.stdout.strip() == "False"


def test_every_file_is_parsed_once_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from iacguard.parsers import hcl_tables

    lark_parser = hcl_tables.parser()
    parsed: list[tuple[str, bool]] = []

    class Counting:
        def parse(self, text: str) -> Any:
            parsed.append((text.removesuffix("\n"), gc.isenabled()))
            return lark_parser.parse(text)

    monkeypatch.setattr(hcl_tables, "parser", Counting)
    # The module directory is scanned and also called twice by the root module.
    run("fixtures/terraform/local_module")
    module = Path("fixtures/terraform/local_module/modules/service_user/main.tf").read_text()
    root = Path("fixtures/terraform/local_module/main.tf").read_text()
    files = [text for text, _ in parsed if text in (module, root)]
    assert sorted(files) == sorted([module, root])
    assert not any(enabled for _, enabled in parsed)
    assert gc.isenabled()
