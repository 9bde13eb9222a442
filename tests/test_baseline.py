"""Baselines accept today's findings by fingerprint and survive edits above them."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import iacguard

TEMPLATE = (
    "Resources:\n"
    "  Ops:\n    Type: AWS::IAM::User\n"
    "  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    "      PolicyDocument: {Statement: [{Sid: S3, Effect: Allow, Action: 's3:*', Resource: '*'}]}\n"
)


def test_a_baseline_accepts_exactly_the_recorded_findings_after_lines_move(tmp_path: Path) -> None:
    template = tmp_path / "iam.yaml"
    template.write_text(TEMPLATE)
    written = iacguard("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert (written.returncode, written.stdout) == (0, "Wrote 2 findings to baseline.json.\n")
    recorded = json.loads((tmp_path / "baseline.json").read_text())
    assert [(e["rule_id"], e["file"], e["resource"]) for e in recorded["findings"]] == [
        ("IG003", "iam.yaml", "Ops"),
        ("IG002", "iam.yaml", "Admin"),
    ]

    # lines added above every finding, and one new finding
    template.write_text(
        "# moved down by a comment\nDescription: more lines\n"
        + TEMPLATE
        + "  Dev:\n    Type: AWS::IAM::User\n"
    )
    done = iacguard("check", ".", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert [
        (f["rule_id"], f["line"], f["resource"], f.get("suppression"))
        for f in json.loads(done.stdout)["findings"]
    ] == [
        ("IG003", 4, "Ops", {"kind": "baseline", "reason": "in the baseline"}),
        ("IG002", 9, "Admin", {"kind": "baseline", "reason": "in the baseline"}),
        ("IG003", 10, "Dev", None),
    ]


def test_a_bad_baseline_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("[1, 2]")
    done = iacguard("check", ".", "--baseline", "b.json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "iacguard: error: b.json: not a version 1 baseline (write one with --write-baseline)\n",
    )
    missing = iacguard("check", ".", "--baseline", "none.json", cwd=tmp_path)
    assert missing.stderr == "iacguard: error: none.json: baseline file not found\n"


POLICIES = """\
Resources:
  Deployer:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
{statements}"""
READ = """\
          - Effect: Allow
            Action: [s3:GetObject]
            Resource: "*"
"""
WIDE = """\
          - Effect: Allow
            Action: [{actions}]
            Resource: arn:aws:s3:::artifacts/*
"""


def scan_with_baseline(tmp_path: Path, statements: str) -> dict[str, object]:
    (tmp_path / "iam.yaml").write_text(POLICIES.format(statements=statements))
    done = iacguard("check", ".", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def accepted(result: dict[str, object]) -> list[tuple[str, str, bool]]:
    findings = result["findings"]
    assert isinstance(findings, list)
    return [(f["rule_id"], f["message"], f["suppressed"]) for f in findings]


def test_a_baselined_wildcard_finding_survives_edits_that_do_not_widen_it(tmp_path: Path) -> None:
    (tmp_path / "iam.yaml").write_text(
        POLICIES.format(statements=WIDE.format(actions="sqs:*, iam:Get*"))
    )
    written = iacguard("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert written.stdout == "Wrote 1 finding to baseline.json.\n"

    for statements in (
        READ + WIDE.format(actions="sqs:*, iam:Get*"),  # a statement added above
        WIDE.format(actions="iam:Get*, sqs:*"),  # the actions reordered
        WIDE.format(actions="sqs:*"),  # one of the two wildcards removed
        READ + WIDE.format(actions="s3:GetObject, iam:Get*, sqs:*"),
    ):
        result = scan_with_baseline(tmp_path, statements)
        (finding,) = accepted(result)
        assert finding[2] is True, (statements, finding)
        assert result["unused_suppressions"] == []

    # a wildcard added to the baselined statement makes it a new finding
    result = scan_with_baseline(tmp_path, WIDE.format(actions="sqs:*, iam:Get*, sns:*"))
    assert accepted(result) == [
        (
            "IG002",
            "Statement #1 allows sqs:* (every sqs action), sns:* (every sns action), "
            "iam:Get* (grants 2 List actions and 32 Read actions)",
            False,
        )
    ]


def test_the_fingerprint_never_depends_on_the_message_or_the_statement_position() -> None:
    from iacguard.findings import Finding, Part, Severity
    from iacguard.model import Location

    def finding(message: str, line: int, parts: tuple[str, ...]) -> Finding:
        return Finding(
            "IG002", "wildcard-action", Severity.HIGH, message, Location("a.yaml", line),
            "Deployer", "AWS::IAM::ManagedPolicy", "Sid=Deploy",
            parts=tuple(Part(p, Location("a.yaml", line + n)) for n, p in enumerate(parts)),
        )  # fmt: skip

    first = finding("Statement #1 allows ec2:*", 9, ("Action=ec2:*", "Action=iam:*"))
    reworded = finding("Statement #2 grants every ec2 action", 30, ("Action=iam:*", "Action=ec2:*"))
    assert reworded.fingerprint == first.fingerprint
    assert reworded.part_fingerprints == first.part_fingerprints
    narrower = finding("x", 9, ("Action=ec2:*",))
    assert narrower.part_fingerprints < first.part_fingerprints


def test_baseline_entries_that_match_nothing_are_reported(tmp_path: Path) -> None:
    template = tmp_path / "iam.yaml"
    template.write_text(TEMPLATE)
    iacguard("check", ".", "--write-baseline", "baseline.json", cwd=tmp_path)
    recorded = json.loads((tmp_path / "baseline.json").read_text())
    fingerprint = recorded["findings"][1]["fingerprint"]
    template.write_text(TEMPLATE.replace("'s3:*'", "'s3:GetObject'"))  # fixed
    (tmp_path / "other.yaml").write_text("Resources:\n  Dev:\n    Type: AWS::IAM::User\n")

    done = iacguard("check", ".", "--baseline", "baseline.json", "--format", "json", cwd=tmp_path)
    assert json.loads(done.stdout)["unused_suppressions"] == [
        {
            "kind": "baseline",
            "file": "iam.yaml",
            "line": None,
            "rules": ["IG002"],
            "message": f"baseline entry {fingerprint[:12]} (Admin) matches no finding",
        }
    ]
    text = iacguard("check", ".", "--baseline", "baseline.json", cwd=tmp_path)
    assert (
        f"iam.yaml: warning: unused suppression (baseline, IG002): baseline entry "
        f"{fingerprint[:12]} (Admin) matches no finding\n"
    ) in text.stdout

    # a scan of another file says nothing about the entries of iam.yaml
    done = iacguard("check", "other.yaml", "--baseline", "baseline.json", "--format", "json",
                    cwd=tmp_path)  # fmt: skip
    assert json.loads(done.stdout)["unused_suppressions"] == []
