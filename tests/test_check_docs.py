"""The docstring is each check's documentation: fixed sections, and examples that work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iacguard.checks import CHECKS
from iacguard.checks.base import DOC_SECTIONS, Check
from iacguard.engine import check_model
from iacguard.parsers.cloudformation import parse_file

_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks(check: type[Check], section: str, language: str) -> list[str]:
    return [
        body for lang, body in _BLOCK.findall(check.documentation()[section]) if lang == language
    ]


def rules_fired(template: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "example.yaml"
    path.write_text(template)
    parsed = parse_file(path, "example.yaml")
    assert parsed.errors == []
    return [f.rule_id for f in check_model(parsed.model).findings]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_docstring_has_every_section_in_order(check: type[Check]) -> None:
    doc = check.documentation()
    assert doc[""], "a one-line summary comes first"
    assert [h for h in doc if h] == list(DOC_SECTIONS)
    assert all(doc[h] for h in DOC_SECTIONS)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_the_example_fires_and_the_fix_is_silent(check: type[Check], tmp_path: Path) -> None:
    bad, good = blocks(check, "Example", "yaml"), blocks(check, "Use instead", "yaml")
    assert bad and good
    for template in bad:
        assert check.id in rules_fired(template, tmp_path)
    for template in good:
        assert check.id not in rules_fired(template, tmp_path)
