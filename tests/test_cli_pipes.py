"""Every command stops quietly when its reader goes away, as `| head` does."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, iacguard

# A template whose findings print more than a pipe holds (64 KiB) in every format, so
# that the command is still writing when `head` goes away; scanned in a fraction of the
# time fixtures/ takes.
ROLE = """\
  Role{0}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{AWS: "*"}}, Action: sts:AssumeRole}}
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Statement:
              - {{Effect: Allow, Action: "*", Resource: "*"}}
"""


@pytest.mark.parametrize(
    "command",
    [
        "explain IG002",
        "rules",
        "check roles.yaml",
        "check roles.yaml --format json --jobs 1",
        "check roles.yaml --format sarif --jobs 1",
        "--help",
    ],
)
def test_a_closed_pipe_ends_the_command_quietly(command: str, tmp_path: Path) -> None:
    template = "Resources:\n" + "".join(ROLE.format(i) for i in range(120))
    (tmp_path / "roles.yaml").write_text(template, encoding="utf-8")
    if command.startswith("check"):  # more than a pipe holds: written after head exits
        assert len(iacguard(*command.split(), cwd=tmp_path).stdout) > 65_536
    assert_closed_pipe_ends_quietly(command, tmp_path)


@pytest.mark.slow  # scans every fixture, three times
@pytest.mark.parametrize(
    "command",
    [
        "check fixtures",
        "check fixtures --format json --jobs 1",
        "check fixtures --format sarif --jobs 1",
    ],
)
def test_a_closed_pipe_ends_a_scan_of_every_fixture_quietly(command: str) -> None:
    assert_closed_pipe_ends_quietly(command, ROOT)


def assert_closed_pipe_ends_quietly(command: str, cwd: Path) -> None:
    iacguard = f"{shlex.quote(sys.executable)} -m iacguard {command}"
    completed = subprocess.run(
        ["bash", "-c", f'set -o pipefail; {iacguard} | head -1; echo "status=$?" >&2'],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert len(completed.stdout.splitlines()) == 1, completed.stdout
    errors = completed.stderr.splitlines()
    assert "Traceback" not in completed.stderr, completed.stderr
    assert "BrokenPipeError" not in completed.stderr, completed.stderr
    # the scan's own stderr lines (errors in files) would show here: there are none
    assert errors[-1] in ("status=0", "status=1", "status=141"), completed.stderr
    assert errors[:-1] == [], completed.stderr


def test_explain_piped_to_head_prints_its_first_line() -> None:
    iacguard = f"{shlex.quote(sys.executable)} -m iacguard explain IG002"
    completed = subprocess.run(
        ["bash", "-c", f"{iacguard} | head -1"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stdout == "IG002 wildcard-action (high)\n"
    assert completed.stderr == ""
