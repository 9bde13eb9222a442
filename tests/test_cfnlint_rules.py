"""The pack's rules: one per check in the registry, loaded the way cfn-lint loads them,
with ids and documentation derived from the checks."""

from __future__ import annotations

import pytest
from cfnlint.rules import Rules

from iacguard.cfnlint.pack import ERROR_RULE_ID, rule_id
from iacguard.checks import CHECKS
from iacguard.checks.base import Check
from iacguard.findings import Severity


def loaded() -> Rules:
    """What ``cfn-lint -a iacguard.cfnlint`` and ``append_rules`` load (Runner._get_rules)."""
    return Rules.create_from_module("iacguard.cfnlint")


def test_cfn_lint_loads_one_rule_per_check_and_the_error_rule() -> None:
    assert sorted(loaded()) == sorted([ERROR_RULE_ID, *(rule_id(c) for c in CHECKS)])


def test_the_ids_of_the_issue_examples() -> None:
    by_ig = {c.id: rule_id(c) for c in CHECKS}
    assert by_ig["IG002"] == "E9102"
    assert by_ig["IG003"] == "W9103"


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, "E9142"),
        (Severity.HIGH, "E9142"),
        (Severity.MEDIUM, "W9142"),
        (Severity.LOW, "W9142"),
        (Severity.INFO, "I9142"),
    ],
)
def test_the_level_letter_comes_from_the_default_severity(
    severity: Severity, expected: str
) -> None:
    probe = type("Probe", (Check,), {"id": "IG042", "slug": "probe", "severity": severity})
    assert rule_id(probe) == expected


def test_an_id_beyond_the_range_is_refused_rather_than_colliding() -> None:
    probe = type("Probe", (Check,), {"id": "IG100", "slug": "probe", "severity": Severity.LOW})
    with pytest.raises(ValueError, match="IG001-IG099"):
        rule_id(probe)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_a_rule_documents_itself_from_its_check(check: type[Check]) -> None:
    rule = loaded()[rule_id(check)]
    what_it_does = " ".join(check.documentation()["What it does"].split())
    assert rule.shortdesc == check.summary
    assert rule.description == what_it_does
    assert rule.source_url == check.documentation()["References"].split()[1]
    assert rule.source_url.startswith("https://")
    assert check.id in rule.tags
    assert check.slug in rule.tags


def test_the_session_rule_takes_the_engine_options_with_their_defaults() -> None:
    rule = loaded()["W9105"]
    assert rule.config_definition == {
        "max_session_seconds": {"default": 3600, "type": "integer"},
        "require_explicit_session_limit": {"default": False, "type": "boolean"},
    }


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_a_rule_takes_exactly_the_options_its_check_declares(check: type[Check]) -> None:
    rule = loaded()[rule_id(check)]
    assert list(rule.config_definition) == [option.name for option in check.options]
    for option in check.options:
        assert rule.config[option.name] == (
            list(option.default) if isinstance(option.default, tuple) else option.default
        )
