"""GitHub annotations and the job summary: escaped so that nothing from a template can
become a workflow command or markup, within GitHub's limits, most severe first."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import write_core_only_config
from report_helpers import validate_sarif
from runner_commands import commands

from iacguard.cli import main
from iacguard.errors import Error
from iacguard.findings import Finding, ScanResult, Severity
from iacguard.model import Location
from iacguard.report import github, summary

REPORT_FIXTURES = "fixtures/cloudformation/report"
# Everything that could end a property, a message or a line, or start a command.
BROKEN = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [\n"
HOSTILE = "a\nb\r::warning::x %0A %25 , : ##[add-mask]y ::stop-commands::z |<b>`c`@d#1"


def finding(severity: Severity, n: int = 0, **changes: Any) -> Finding:
    values: dict[str, Any] = {
        "rule_id": "IG002",
        "rule": "wildcard-action",
        "severity": severity,
        "message": f"finding {n}",
        "location": Location("a.yaml", n + 1, 3, n + 1, 9),
        "resource": "Ops",
        "resource_type": "AWS::IAM::ManagedPolicy",
        "element": f"{severity.value}{n}",
    }
    values.update(changes)
    return Finding(**values)


def annotations(output: str) -> list[tuple[str, dict[str, str], str]]:
    """The annotations the runner would create from this output."""
    return [
        (c.name, c.properties, c.data)
        for c in commands(output)
        if c.name in ("error", "warning", "notice")
    ]


def test_escaping_follows_the_runner() -> None:
    assert github.escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github.escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"
    assert github.command("warning", "m", file="a,b.yaml", line=3, col=None) == (
        "::warning file=a%2Cb.yaml,line=3::m"
    )


def test_each_finding_is_an_annotation_at_its_place_with_its_level() -> None:
    findings = [finding(s, i) for i, s in enumerate(Severity)]
    output = github.render(ScanResult(findings=findings))
    assert annotations(output) == [
        ("error", {"file": "a.yaml", "line": "5", "endLine": "5", "col": "3",
                   "title": "IG002 wildcard-action (critical)"}, "finding 4"),
        ("error", {"file": "a.yaml", "line": "4", "endLine": "4", "col": "3",
                   "title": "IG002 wildcard-action (high)"}, "finding 3"),
        ("warning", {"file": "a.yaml", "line": "3", "endLine": "3", "col": "3",
                     "title": "IG002 wildcard-action (medium)"}, "finding 2"),
        ("warning", {"file": "a.yaml", "line": "2", "endLine": "2", "col": "3",
                     "title": "IG002 wildcard-action (low)"}, "finding 1"),
        ("notice", {"file": "a.yaml", "line": "1", "endLine": "1", "col": "3",
                    "title": "IG002 wildcard-action (info)"}, "finding 0"),
    ]  # fmt: skip


def test_a_finding_over_several_lines_has_no_column() -> None:
    spanning = finding(Severity.LOW, location=Location("a.yaml", 4, 5, 9, 2))
    ((_, properties, _),) = annotations(github.render(ScanResult(findings=[spanning])))
    assert properties == {
        "file": "a.yaml",
        "line": "4",
        "endLine": "9",
        "title": "IG002 wildcard-action (low)",
    }


def test_ten_per_level_most_severe_first_then_one_notice_for_the_rest() -> None:
    findings = (
        [finding(Severity.MEDIUM, n) for n in range(12)]
        + [finding(Severity.HIGH, n) for n in range(20, 35)]
        + [finding(Severity.CRITICAL, 99)]
        + [finding(Severity.INFO, n) for n in range(50, 53)]
    )
    shown = annotations(github.render(ScanResult(findings=findings)))
    levels = [level for level, _, _ in shown]
    assert levels == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 4
    assert shown[0][1]["title"] == "IG002 wildcard-action (critical)"
    assert [data for _, _, data in shown[1:10]] == [f"finding {n}" for n in range(20, 29)]
    _level, properties, message = shown[-1]
    assert "file" not in properties
    assert message.startswith("8 more findings are not shown as annotations")
    assert "job summary" in message


def test_the_closing_notice_keeps_a_place_among_the_notices() -> None:
    findings = [finding(Severity.INFO, n) for n in range(12)]
    shown = annotations(github.render(ScanResult(findings=findings)))
    assert len(shown) == 10
    assert shown[-1][2].startswith("3 more findings are not shown")


def test_no_overflow_no_closing_notice() -> None:
    findings = [finding(Severity.HIGH, n) for n in range(10)]
    assert len(annotations(github.render(ScanResult(findings=findings)))) == 10


def test_files_that_could_not_be_read_are_error_annotations() -> None:
    errors = [Error("parse", "mapping values are not allowed here", "broken.yaml", 3, 7)]
    assert annotations(github.render(ScanResult(errors=errors))) == [
        (
            "error",
            {"file": "broken.yaml", "line": "3", "col": "7",
             "title": "iacguard could not check this file"},
            "mapping values are not allowed here",
        )
    ]  # fmt: skip


def test_the_log_lists_every_finding_where_the_runner_ignores_commands() -> None:
    output = github.render(ScanResult(findings=[finding(Severity.HIGH)]), stop_token="t0k3n")
    lines = output.splitlines()
    start, end = lines.index("::stop-commands::t0k3n"), lines.index("::t0k3n::")
    assert lines[start + 1 : end] == [
        "a.yaml:1:3  HIGH  IG002  Ops  finding 0",
        "IG002 wildcard-action: how to fix: iacguard explain IG002, "
        "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#wildcard-action",
        "1 finding (1 high) in 0 files scanned.",
    ]
    assert [c.name for c in commands(output)] == [
        "error", "group", "stop-commands", "t0k3n", "endgroup",
    ]  # fmt: skip


def _hostile_template(directory: Path) -> Path:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Evil": {
                "Type": "AWS::IAM::User",
                "Properties": {
                    "UserName": f"user {HOSTILE}",
                    "Policies": [
                        {
                            "PolicyName": f"policy {HOSTILE}",
                            "PolicyDocument": {
                                "Statement": [
                                    {
                                        "Sid": f"sid {HOSTILE}",
                                        "Effect": "Allow",
                                        "Action": "s3:*",
                                        "Resource": "*",
                                    }
                                ]
                            },
                        }
                    ],
                },
            }
        },
    }
    path = directory / f"{HOSTILE}.json"
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    return path


def test_hostile_names_never_become_workflow_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    template = _hostile_template(tmp_path)
    write_core_only_config(tmp_path)
    step_summary = tmp_path / "summary.md"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))

    code = main(["check", template.name, "--format", "github", "--output-sarif", "out.sarif"])

    out, err = capsys.readouterr()
    assert code == 1
    assert commands(err) == []
    done = commands(out)
    assert [c.name for c in done][:3] == ["error", "warning", "warning"]
    assert [c.name for c in done][3:] == ["group", "stop-commands", done[5].name, "endgroup"]
    for command in done[:3]:
        # Each value arrives exactly as written in the template: escaped, not cut.
        assert command.properties["file"] == template.name
        assert HOSTILE in command.data
    assert {c.data.split('"')[1] for c in done[:3]} == {
        f"sid {HOSTILE}",
        f"policy {HOSTILE}",
        f"user {HOSTILE}",
    }
    validate_sarif(json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8")))
    _assert_markdown_is_inert(step_summary.read_text(encoding="utf-8"))


def _assert_markdown_is_inert(markdown: str) -> None:
    assert "<b>" not in markdown and "&lt;b&gt;" in markdown
    assert "`c`" not in markdown and "\\`c\\`" in markdown
    for line in markdown.splitlines():
        if line.startswith("|"):
            # Every row has its columns' separators and no more: data pipes are escaped.
            separators = len(re.findall(r"(?<!\\)\|", line))
            assert separators in (4, 3, 6), line
        else:
            assert line == "" or line.startswith(("#", "_")) or line[0].isdigit(), line


def test_a_hostile_file_that_cannot_be_parsed_is_an_escaped_annotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / f"{HOSTILE}.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", broken.name, "--format", "github"]) == 2
    out, err = capsys.readouterr()
    assert commands(err) == []
    (error,) = [c for c in commands(out) if c.name == "error"]
    assert error.properties["file"] == broken.name


def test_summary_cells_are_plain_text() -> None:
    assert summary.cell("a|b <i>x</i> & `c` *d* _e_ [f](g) @h #1 ~s~ $m$ \\ x\r\ny") == (
        "a\\|b &lt;i&gt;x&lt;/i&gt; &amp; \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) \\@h \\#1 "
        "\\~s\\~ \\$m\\$ \\\\ x y"
    )


def test_summary_stays_within_its_budget_and_says_what_it_left_out() -> None:
    findings = [finding(Severity.HIGH, n, message="x" * 400, element=str(n)) for n in range(3000)]
    markdown = summary.render(ScanResult(findings=findings), budget=100_000)
    assert len(markdown.encode("utf-8")) <= 100_000
    rows = [line for line in markdown.splitlines() if line.startswith("| high |")]
    note = markdown.strip().splitlines()[-1]
    assert note == (
        f"_{3000 - len(rows)} more rows are not listed: a step summary must stay under 1 MiB. "
        "The step log and the SARIF results have every finding._"
    )


def test_summary_is_appended_within_what_is_left_of_1_mib(tmp_path: Path) -> None:
    step_summary = tmp_path / "summary.md"
    step_summary.write_text("earlier step\n", encoding="utf-8")
    result = ScanResult(findings=[finding(Severity.HIGH, n) for n in range(3)])
    summary.append(result, str(step_summary))
    written = step_summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## iacguard\n")
    assert "| high | IG002 `wildcard-action` | a.yaml:3:3 | Ops | finding 2 |" in written

    step_summary.write_text("x" * (summary.STEP_SUMMARY_LIMIT - 500), encoding="utf-8")
    summary.append(result, str(step_summary))
    assert step_summary.stat().st_size == summary.STEP_SUMMARY_LIMIT - 500


def test_several_outputs_in_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    sarif_file, json_file = tmp_path / "results.sarif", tmp_path / "results.json"
    code = main(
        [
            "check",
            REPORT_FIXTURES,
            "--format",
            "github",
            "--output-sarif",
            str(sarif_file),
            "--output-json",
            str(json_file),
        ]
    )
    assert code == 1
    out = capsys.readouterr().out
    log = json.loads(sarif_file.read_text(encoding="utf-8"))
    validate_sarif(log)
    document = json.loads(json_file.read_text(encoding="utf-8"))
    # the three outputs of one run report the same findings, at the same places
    from_json = sorted((f["rule_id"], f["file"], f["line"]) for f in document["findings"])
    from_sarif = sorted(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    )
    from_annotations = sorted(
        (p["title"].split()[0], p["file"], int(p["line"])) for _, p, _ in annotations(out)
    )
    assert len(from_json) == document["summary"]["findings"] == 10
    assert {f[1] for f in from_json} == {
        f"{REPORT_FIXTURES}/roles.yaml",
        f"{REPORT_FIXTURES}/users.yaml",
    }
    assert from_sarif == from_json
    assert from_annotations == from_json


def test_an_output_that_cannot_be_written_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "results.sarif"
    assert main(["check", REPORT_FIXTURES, "--output-sarif", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"iacguard: error: cannot write {target}: No such file or directory\n"
