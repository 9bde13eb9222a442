"""Names from the scanned files reach every output: none of them can crash an output,
act on a terminal, forge a line, or become a link (issue 18, items 14 to 17)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import FIXTURES, iacguard
from report_helpers import validate_sarif
from runner_commands import commands

from iacguard.report import summary

TEMPLATE = """\
Resources:
  AdminPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Sid: "{sid}"
            Effect: Allow
            Action: "*"
            Resource: "*"
"""


def test_a_file_name_that_is_not_utf8_never_crashes_any_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = os.fsdecode(b"bad\xff.yaml")  # how Python names the file: a lone surrogate
    (tmp_path / name).write_text(TEMPLATE.format(sid="Admin"), encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path.parent / "summary.md"))
    outputs = {}
    for fmt in ("text", "json", "sarif", "github"):
        done = iacguard("check", ".", "--format", fmt, "--output-sarif", "../out.sarif",
                        "--output-json", "../out.json", cwd=tmp_path)  # fmt: skip
        assert (done.returncode, done.stderr) == (1, ""), done.stderr
        outputs[fmt] = done.stdout
    outputs["sarif file"] = (tmp_path.parent / "out.sarif").read_text(encoding="utf-8")
    outputs["json file"] = (tmp_path.parent / "out.json").read_text(encoding="utf-8")
    outputs["summary"] = (tmp_path.parent / "summary.md").read_text(encoding="utf-8")

    for output in outputs.values():
        output.encode("utf-8")  # strict: no lone surrogate anywhere
    assert outputs["text"].startswith(
        'bad\\xff.yaml:9:21  CRITICAL  IG002  AdminPolicy  Statement "Admin" allows * on '
        "every resource (full administrator access)\n"
    )
    # `*` on `*` is also IG008 and IG009: three findings, all in the one file
    findings = json.loads(outputs["json"])["findings"]
    assert [(f["rule_id"], f["file"]) for f in findings] == [
        ("IG002", "bad\\xff.yaml"),
        ("IG008", "bad\\xff.yaml"),
        ("IG009", "bad\\xff.yaml"),
    ]
    log = json.loads(outputs["sarif"])
    validate_sarif(log)
    for result in log["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "bad%FF.yaml", "uriBaseId": "%SRCROOT%"}
    annotations = [c for c in commands(outputs["github"]) if c.name == "error"]
    assert [a.properties["file"] for a in annotations] == ["bad\\xff.yaml"] * 3
    assert "| bad\\\\xff.yaml:9:21 |" in outputs["summary"]


def test_control_characters_from_a_template_are_escaped_in_text_output_and_stderr(
    tmp_path: Path,
) -> None:
    # A Sid that would clear the screen, print a fake hyperlink and overwrite its line;
    # a broken file whose name does the same on stderr.
    sid = "\\e[2J\\e]8;;https://evil.example\\a\\rNo findings\\u202e"
    (tmp_path / "stack.yaml").write_text(TEMPLATE.format(sid=sid), encoding="utf-8")
    (tmp_path / "broken\x1b[2J\r.yaml").write_text(
        "Resources:\n  R: {Type: AWS::IAM::Role, Properties: [\n", encoding="utf-8"
    )

    done = iacguard("check", ".", cwd=tmp_path)

    for stream in (done.stdout, done.stderr):
        assert not any(c in stream for c in "\x1b\r\x07\u202e")
    assert (
        'stack.yaml:9:21  CRITICAL  IG002  AdminPolicy  Statement "\\x1b[2J\\x1b]8;;'
        'https://evil.example\\x07\\x0dNo findings\\u202e" allows * on every resource '
        "(full administrator access)\n"
    ) in done.stdout
    assert done.stderr.startswith("broken\\x1b[2J\\x0d.yaml:")


def test_the_job_summary_never_turns_a_name_into_a_link() -> None:
    assert summary.cell("see https://evil.example, www.evil.example or ops@evil.example") == (
        "see https\u200b://evil.example, www\u200b.evil.example or ops\u200b\\@evil.example"
    )


def test_sarif_messages_have_no_link_syntax(tmp_path: Path) -> None:
    sid = "[Open the fix](https://evil.example)"
    (tmp_path / "stack.yaml").write_text(TEMPLATE.format(sid=sid), encoding="utf-8")

    done = iacguard("check", ".", "--format", "sarif", cwd=tmp_path)

    log = json.loads(done.stdout)
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert results[0]["message"]["text"] == (
        'Statement "\\[Open the fix\\](https://evil.example)" allows * on every resource '
        "(full administrator access)"
    )
    assert all(
        r["message"]["text"].startswith('Statement "\\[Open the fix\\](https://evil.example)"')
        for r in results
    )


def test_sarif_uris_outside_the_source_root_are_absolute(tmp_path: Path) -> None:
    (tmp_path / "checkout").mkdir()
    (tmp_path / "elsewhere").mkdir()
    stack = tmp_path / "elsewhere" / "stack.yaml"
    stack.write_text(
        (FIXTURES / "cloudformation" / "wildcard-action/positive_every_wildcard.yaml").read_text()
    )

    done = iacguard("check", "../elsewhere/stack.yaml", "--format", "sarif",
                    cwd=tmp_path / "checkout")  # fmt: skip

    log = json.loads(done.stdout)
    validate_sarif(log)
    uris = {
        json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"])
        for r in log["runs"][0]["results"]
    }
    assert uris == {json.dumps({"uri": stack.as_uri()})}
