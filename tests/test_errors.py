"""The one error type as every reporter shows it: an error about the whole scan (no file),
one about a line whose column is unknown, and one at an exact place; the kind in the
machine-readable formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_helpers import validate_sarif
from runner_commands import commands
from test_report_formats import SCHEMAS, json_schema, schema_errors, validate_junit

from iacguard.checks.base import Check, Context
from iacguard.config import Config
from iacguard.engine import check_model, scan
from iacguard.errors import Error, internal
from iacguard.findings import ScanResult, Severity
from iacguard.model import Location, Model
from iacguard.report import github, gitlab, junit, sarif
from iacguard.report import json as json_report
from iacguard.report.text import error_line

SCAN_WIDE = Error("internal", "internal error in IG999: RuntimeError: boom")
NO_COLUMN = Error("parse", "not valid UTF-8 text", "broken.tf", 3)
EXACT = Error("value", "R: Type must be a string", "t.yaml", 4, 11)
RESULT = ScanResult(errors=[SCAN_WIDE, NO_COLUMN, EXACT])


class FailsOnTheWholeModel(Check):
    id = "IG999"
    slug = "fails-on-the-whole-model"
    severity = Severity.LOW
    summary = "Raises on the whole model"

    def model(self, model: Model, ctx: Context) -> None:
        raise RuntimeError("boom")


def test_a_check_that_fails_on_the_whole_model_is_an_error_about_the_scan() -> None:
    checked = check_model(Model(), checks=(FailsOnTheWholeModel,))
    assert checked.errors == [SCAN_WIDE]


def test_an_internal_error_is_where_it_happened_and_says_during_what() -> None:
    exc = KeyError("x")
    assert internal(Location("a.tf", 3, 5), "in IG002", exc) == Error(
        "internal", "internal error in IG002: KeyError: 'x'", "a.tf", 3, 5
    )
    assert internal("a.tf", "while parsing", exc) == Error(
        "internal", "internal error while parsing: KeyError: 'x'", "a.tf"
    )
    assert internal(None, "in IG009", exc).file is None


def test_a_scan_gives_each_error_its_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iacguard.checks.user_not_in_group import UserNotInGroup

    def fail(self: Check, model: Model, ctx: Context) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(UserNotInGroup, "model", fail)
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [\n"
    )
    Path("typed.yaml").write_text(
        "Resources:\n  U:\n    Type: AWS::IAM::User\n  R:\n    Type: [x]\n"
    )
    Path("main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n' + "#" * 300)
    result = scan(["."], Config(max_file_bytes=256))
    assert [error_line(e) for e in result.errors] == [
        "broken.yaml:5:1: error: cannot parse template: did not find expected node content",
        "typed.yaml:5:11: error: R: Type must be a string",
        "main.tf: error: file is 345 bytes, over the 256-byte limit; to scan it, raise the limit "
        "with --max-file-bytes",
        "iacguard: error: internal error in IG003: RuntimeError: boom",
    ]
    assert [e.kind for e in result.errors] == ["parse", "value", "limit", "internal"]


def test_text_shows_the_place_as_far_as_it_is_known() -> None:
    assert [error_line(e) for e in RESULT.errors] == [
        "iacguard: error: internal error in IG999: RuntimeError: boom",
        "broken.tf:3: error: not valid UTF-8 text",
        "t.yaml:4:11: error: R: Type must be a string",
    ]


def test_json_gives_the_kind_and_null_for_what_is_not_known() -> None:
    document = json.loads(json_report.render(RESULT))
    assert document["errors"] == [
        {"file": None, "line": None, "column": None,
         "message": "internal error in IG999: RuntimeError: boom", "kind": "internal"},
        {"file": "broken.tf", "line": 3, "column": None,
         "message": "not valid UTF-8 text", "kind": "parse"},
        {"file": "t.yaml", "line": 4, "column": 11,
         "message": "R: Type must be a string", "kind": "value"},
    ]  # fmt: skip
    assert document["summary"]["errors"] == 3
    assert schema_errors(json_schema(), document) == []


def test_sarif_notifications_have_a_physical_location_only_when_there_is_a_file() -> None:
    log = json.loads(sarif.render(RESULT))
    validate_sarif(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    scan_wide, no_column, exact = invocation["toolExecutionNotifications"]
    assert scan_wide == {
        "level": "error",
        "message": {"text": "internal error in IG999: RuntimeError: boom"},
        "properties": {"kind": "internal"},
    }
    assert no_column["properties"] == {"kind": "parse"}
    (where,) = no_column["locations"]
    assert where["physicalLocation"]["artifactLocation"]["uri"] == "broken.tf"
    assert where["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 1}
    (where,) = exact["locations"]
    assert where["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 11}


def test_github_annotates_the_run_for_an_error_without_a_file() -> None:
    shown = [
        (c.name, c.properties, c.data) for c in commands(github.render(RESULT)) if c.name == "error"
    ]
    assert shown == [
        ("error", {"title": "iacguard"}, "internal error in IG999: RuntimeError: boom"),
        ("error", {"file": "broken.tf", "line": "3",
                   "title": "iacguard could not check this file"}, "not valid UTF-8 text"),
        ("error", {"file": "t.yaml", "line": "4", "col": "11",
                   "title": "iacguard could not check this file"}, "R: Type must be a string"),
    ]  # fmt: skip


def test_junit_and_gitlab_name_the_run_for_an_error_without_a_file() -> None:
    root = validate_junit(junit.render(RESULT))
    (suite,) = [s for s in root if s.get("name") == "iacguard errors"]
    cases = [(c.get("name"), c.get("classname"), c.findtext("error")) for c in suite]
    assert cases == [
        ("iacguard", "iacguard", "iacguard: error: internal error in IG999: RuntimeError: boom"),
        ("broken.tf:3", "broken.tf", "broken.tf:3: error: not valid UTF-8 text"),
        ("t.yaml:4", "t.yaml", "t.yaml:4: error: R: Type must be a string"),
    ]
    schema = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text("utf-8"))
    issues = json.loads(gitlab.render(RESULT))
    assert schema_errors(schema, issues) == []
    assert [(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        (".", 1),
        ("broken.tf", 3),
        ("t.yaml", 4),
    ]
