"""Every command stops quietly when its reader goes away, as `| head` does."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest
from helpers import ROOT


@pytest.mark.parametrize(
    "command",
    [
        "explain IG002",
        "rules",
        "check fixtures",
        "check fixtures --format json --jobs 1",
        "check fixtures --format sarif --jobs 1",
        "--help",
    ],
)
def test_a_closed_pipe_ends_the_command_quietly(command: str) -> None:
    iacguard = f"{shlex.quote(sys.executable)} -m iacguard {command}"
    completed = subprocess.run(
        ["bash", "-c", f'set -o pipefail; {iacguard} | head -1; echo "status=$?" >&2'],
        cwd=ROOT,
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
    # the scan's own stderr lines (errors in files) would show here: fixtures/ has none
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
