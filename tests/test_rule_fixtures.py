"""Each rule runs on its own fixtures, and what it reports is compared with its snapshot.

A rule's fixtures are ``fixtures/cloudformation/<slug>/<case>.yaml|.json`` and
``fixtures/terraform/<slug>/<case>/``; a case named ``positive_…`` must make the rule
report, one named ``negative_…`` must not, and no case may give an error. The findings
of every case (rule, severity, file:line:column, resource, message, related locations)
are written to ``tests/snapshots/rules/<slug>.txt``::

    IACGUARD_UPDATE_SNAPSHOTS=1 python3 -m pytest tests/test_rule_fixtures.py

rewrites the snapshots; review the diff before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, assert_snapshot

from iacguard.checks import CHECKS
from iacguard.checks.base import Check
from iacguard.config import Config
from iacguard.engine import scan
from iacguard.findings import Finding
from iacguard.parsing import ScanOptions

SNAPSHOTS = ROOT / "tests" / "snapshots" / "rules"
KINDS = ("positive", "negative")


def cases(check: type[Check], framework: str) -> list[Path]:
    """The check's fixtures in one framework: templates, or Terraform module directories."""
    directory = FIXTURES / framework / check.slug
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if (p.is_dir() if framework == "terraform" else p.suffix in (".yaml", ".yml", ".json"))
    )


def described(finding: Finding) -> list[str]:
    where = finding.location
    lines = [
        f"{where.file}:{where.line}:{where.column}  {finding.severity.value}  "
        f"{finding.rule_id} {finding.rule}  {finding.resource}  {finding.message}"
    ]
    for related in finding.related:
        at = related.location
        lines.append(f"    related {at.file}:{at.line}:{at.column}  {related.message}")
    return lines


def kind_of(case: Path) -> str:
    """``positive`` for ``positive_every_wildcard.yaml``, ``positive.yaml`` or ``positive/``."""
    return case.name.split(".", 1)[0].split("_", 1)[0]


def run_case(check: type[Check], case: Path) -> tuple[list[str], list[str]]:
    """The check's findings on one case, described, and the errors of the scan."""
    config = Config(disabled=frozenset(c.id for c in CHECKS if c is not check))
    result = scan([str(case.relative_to(ROOT))], config, options=ScanOptions(cache=False))
    found = [line for f in result.findings if f.rule_id == check.id for line in described(f)]
    errors = [f"{e.file}:{e.line}: {e.message}" for e in result.errors]
    return found, errors


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.slug)
def test_each_rule_reports_what_its_snapshot_says(check: type[Check]) -> None:
    sections = []
    for framework in check.frameworks:
        for case in cases(check, framework):
            kind = kind_of(case)
            assert kind in KINDS, f"{case}: a case is named positive[_…] or negative[_…]"
            found, errors = run_case(check, case)
            assert errors == [], f"{case} is not a clean fixture"
            if kind == "positive":
                assert found, f"{case} is a positive case, but {check.id} reports nothing"
            else:
                assert found == [], f"{case} is a negative case, but {check.id} reports"
            body = "\n".join(found) if found else "(no findings)"
            sections.append(f"# {case.relative_to(FIXTURES).as_posix()}\n{body}\n")
    assert sections, f"{check.id} has no fixtures in fixtures/<framework>/{check.slug}/"
    assert_snapshot(SNAPSHOTS / f"{check.slug}.txt", "\n".join(sections))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.slug)
def test_each_rule_has_a_positive_and_a_negative_case_in_each_framework(
    check: type[Check],
) -> None:
    for framework in check.frameworks:
        kinds = {kind_of(case) for case in cases(check, framework)}
        assert kinds == set(KINDS), f"{check.id} needs both kinds of case in {framework}"


def test_every_snapshot_belongs_to_a_rule() -> None:
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.txt")) == sorted(c.slug for c in CHECKS)
