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
