"""The generated documentation is current, and says what the registry says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import ROOT

from iacguard import docs
from iacguard.cfnlint.pack import rule_id
from iacguard.checks import CHECKS, OPTIONS
from iacguard.checks.base import DOC_SECTIONS, Check


def test_the_generated_files_are_current() -> None:
    assert docs.stale(ROOT) == [], "run: python -m iacguard.docs"


def test_a_hand_edit_of_a_generated_part_is_caught_and_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")  # the quick start scans them
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "rules.md", tmp_path / "docs" / "rules.md")
    readme = tmp_path / "README.md"
    edited = readme.read_text(encoding="utf-8").replace("| W9105 |", "| W9999 |", 1)
    edited = re.sub(r"\n\d+ findings \(", "\n1 findings (", edited, count=1)
    assert "\n1 findings (" in edited
    readme.write_text(edited, encoding="utf-8")
    (tmp_path / "docs" / "rules.md").unlink()
    monkeypatch.chdir(tmp_path)
    assert docs.main(["--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "README.md is stale: run python -m iacguard.docs",
        "docs/rules.md is stale: run python -m iacguard.docs",
    ]
    assert docs.main([]) == 0
    assert readme.read_text(encoding="utf-8") == (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.main(["--check"]) == 0


def test_a_readme_without_a_generated_part_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# iacguard\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=re.escape("README.md has no <!-- generated: rules --> section")
    ):
        docs.generated(tmp_path)


def test_the_readme_lists_every_rule_option_and_cfn_lint_id() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"| [{check.id}](docs/rules.md#{check.slug}) | `{check.slug}` |" in readme
        assert f"| {check.id} `{check.slug}` | {rule_id(check)} |" in readme
    for option in OPTIONS:
        assert f"| `{option.cli_flag}" in readme
        assert f"| `{option.name}` | `{option.shown(option.default)}` |" in readme


def test_the_reference_has_a_section_per_rule_at_the_anchor_sarif_links_to() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = re.findall(r'<a id="([^"]+)"></a>', text)
    assert anchors == [c.slug for c in CHECKS]
    assert [c.help_uri().rsplit("#", 1)[1] for c in CHECKS] == anchors
    wildcard = text[text.index('<a id="wildcard-action">') :]
    assert wildcard.startswith(
        '<a id="wildcard-action"></a>\n\n## IG002 `wildcard-action`\n\n'
        "An `Allow` statement grants actions by wildcard.\n\n"
        "Severity: critical / high / medium / low."
    )
    for heading in DOC_SECTIONS:
        assert f"\n### {heading}\n" in wildcard.split('<a id="', 2)[1]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_the_severities_a_check_declares_include_its_default(check: type[Check]) -> None:
    assert check.severity in (check.severities or (check.severity,))
    assert list(check.severities) == sorted(check.severities, key=lambda s: -s.rank)
