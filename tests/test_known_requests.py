"""``iacguard check`` arguments parsed once are read back from the cache on the next run,
before argparse is imported; they make the request argparse makes, and nothing that did
not reach a scan, or that asked for no cache, is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from iacguard import known_requests
from iacguard.arguments import check_request, parse

FIXTURE = "fixtures/terraform/policy_document"
PROBE = (
    "import contextlib, io, sys\nfrom iacguard.cli import main\n"
    "out = io.StringIO()\n"
    "try:\n"
    "    with contextlib.redirect_stdout(out):\n"
    "        code = main(sys.argv[1:])\n"
    "except SystemExit as stop:\n"
    "    code = stop.code\n"
    "print(code, 'argparse' in sys.modules, file=sys.stderr)\n"
    "print(out.getvalue(), end='')\n"
)


def _run(cache: Path, *arguments: str) -> tuple[str, str]:
    """The command's output, and its exit code and whether it imported argparse."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments],
        cwd=ROOT,
        env={**os.environ, "IACGUARD_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout, done.stderr.strip().splitlines()[-1]


def test_arguments_parsed_before_are_read_back_without_argparse(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, how = _run(cache, "check", FIXTURE, "--format", "json", "--fail-on", "HIGH")
    assert how == "1 True"
    assert '"rule_id": "IG002"' in first
    again, how = _run(cache, "check", FIXTURE, "--format", "json", "--fail-on", "HIGH")
    assert (again, how) == (first, "1 False")
    # other arguments are another request
    other, how = _run(cache, "check", FIXTURE, "--format", "json", "--fail-on", "none")
    assert (other, how) == (first, "0 True")


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", FIXTURE],
        ["check"],
        ["check", FIXTURE, "--format", "sarif", "--select", "IG002,IG00", "--ignore", "IG005"],
        ["check", FIXTURE, "--var-file", "a.tfvars", "--parameters", "K=V", "--jobs", "2"],
        [
            "check",
            FIXTURE,
            "--max-session-seconds",
            "7200",
            "--trusted-account",
            "111122223333",
            "--trusted-account",
            "444455556666",
            "--no-gitignore",
            "-q",
            "--group-by",
            "rule",
        ],
        ["check", "--form", "json", FIXTURE],  # an abbreviation argparse takes
        ["check", FIXTURE, "--no-color"],
    ],
)
def test_a_kept_request_is_the_one_argparse_makes(
    arguments: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(tmp_path / "cache"))
    made = check_request(parse(arguments)[1])
    assert known_requests.get(arguments) is None
    known_requests.put(arguments, made)
    assert known_requests.get(arguments) == made
    assert known_requests.get([*arguments, "--strict"]) is None


@pytest.mark.parametrize("no_cache", ["--no-cache", "--no-ca"])
def test_no_request_is_kept_or_read_without_the_cache(
    no_cache: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(tmp_path / "cache"))
    arguments = ["check", FIXTURE, no_cache]
    request = check_request(parse(arguments)[1])
    assert request.cache is False
    known_requests.put(arguments, request)
    assert not (tmp_path / "cache").exists()
    assert known_requests.get(arguments) is None


def test_what_did_not_reach_a_scan_is_not_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for arguments in (["check", "--changed-lines", FIXTURE], ["check", "--fail-on", "bad"]):
        for _ in range(2):  # the second run parses again and fails again, with argparse
            _, how = _run(cache, *arguments)
            assert how == "2 True"
