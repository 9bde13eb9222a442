"""The parse cache: results by content, never findings; safe when entries are corrupt,
when versions change and when scans run at the same time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, run
from speed_helpers import generated_corpus, scan_json

from iacguard import engine
from iacguard.cache import Cache, default_directory
from iacguard.config import Config
from iacguard.engine import ScanOptions, scan


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.endswith(".tmp"))


@pytest.mark.parametrize("target", ["fixtures", "corpus"])
def test_cold_warm_and_uncached_scans_report_the_same(target: str) -> None:
    cwd = generated_corpus() if target == "corpus" else ROOT
    path = "." if target == "corpus" else "fixtures"
    cold = scan_json(path, cwd=cwd)
    warm = scan_json(path, cwd=cwd)
    uncached = scan_json(path, "--no-cache", cwd=cwd)
    assert cold["findings"]
    assert cold == warm == uncached


def test_a_warm_scan_parses_nothing(
    monkeypatch: pytest.MonkeyPatch, _cache_of_its_own: Path
) -> None:
    first = run("fixtures")
    assert entries(_cache_of_its_own)

    def parse_unit(unit: object) -> None:
        raise AssertionError(f"parsed again: {unit}")

    monkeypatch.setattr(engine, "parse_unit", parse_unit)
    again = run("fixtures")
    assert again.findings == first.findings
    assert again.unresolved == first.unresolved


def test_no_cache_neither_reads_nor_writes(_cache_of_its_own: Path) -> None:
    scan(["fixtures"], Config(), options=ScanOptions(cache=False))
    assert entries(_cache_of_its_own) == []


def test_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    policy = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    policy += "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
    template.write_text(policy + "            Action: s3:GetObject\n            Resource: '*'\n")
    assert run(template).findings == []
    template.write_text(policy + "            Action: 's3:*'\n            Resource: '*'\n")
    assert [f.rule_id for f in run(template).findings] == ["IG002"]


def test_a_file_read_by_terraform_is_read_again_on_every_scan(tmp_path: Path) -> None:
    """Only each file's own syntax is cached: resolution, with file() and the module's
    other files, runs on every scan."""
    shutil.copytree(ROOT / "fixtures/terraform/policy_file", tmp_path / "module")
    document = tmp_path / "module/policies/admin.json"
    assert [f.rule_id for f in run(tmp_path / "module").findings] == ["IG002", "IG008", "IG009"]
    data = json.loads(document.read_text())
    for statement in data["Statement"]:
        statement["Action"] = "s3:GetObject"
        statement["Resource"] = "arn:aws:s3:::bucket/*"
    document.write_text(json.dumps(data))
    assert run(tmp_path / "module").findings == []


def test_results_carry_the_name_the_file_is_shown_by(tmp_path: Path) -> None:
    """Locations hold the file's name relative to where iacguard runs; the same text
    scanned from elsewhere is not served another name from the cache."""
    from_root = scan_json("fixtures/terraform/policy_file")
    from_fixtures = scan_json("terraform/policy_file", cwd=ROOT / "fixtures")
    assert {f["file"] for f in from_root["findings"]} == {
        "fixtures/terraform/policy_file/policies/admin.json"
    }
    assert {f["file"] for f in from_fixtures["findings"]} == {
        "terraform/policy_file/policies/admin.json"
    }
    assert len(from_root["findings"]) == len(from_fixtures["findings"]) == 3


def test_corrupt_entries_are_ignored_and_replaced(_cache_of_its_own: Path) -> None:
    expected = scan_json("fixtures")
    written = entries(_cache_of_its_own)
    assert written
    for number, entry in enumerate(written):
        entry.write_bytes(b"" if number % 2 else b"\x80\x05garbage")
    assert scan_json("fixtures") == expected
    assert all(len(entry.read_bytes()) > 20 for entry in written)  # rewritten whole


def test_another_version_uses_a_directory_of_its_own_and_removes_the_old(tmp_path: Path) -> None:
    old = Cache(tmp_path, fingerprint="0" * 16)
    old.put(Cache.key("terraform", "main.tf", "x"), "old result")
    new = Cache(tmp_path, fingerprint="1" * 16)
    assert new.get(Cache.key("terraform", "main.tf", "x")) is None
    new.put(Cache.key("terraform", "main.tf", "x"), "new result")
    assert [p.name for p in tmp_path.iterdir()] == [new.directory.name]  # type: ignore[union-attr]


def test_a_cache_that_cannot_be_written_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(blocker / "cache"))
    assert [
        f.rule_id for f in run("fixtures/cloudformation/wildcard_action_positive.yaml").findings
    ]


def test_the_cache_directory_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "explicit"
    monkeypatch.delenv("IACGUARD_CACHE_DIR")
    assert default_directory() == tmp_path / "xdg" / "iacguard"


def test_concurrent_scans_share_the_cache(_cache_of_its_own: Path) -> None:
    command = [sys.executable, "-m", "iacguard", "check", "fixtures", "--format", "json"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    scans = [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate()[0] for process in scans]
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0]) == scan_json("fixtures")
    assert not [p for p in _cache_of_its_own.rglob("*.tmp")]


def test_entries_are_read_only_from_a_directory_private_to_this_user(tmp_path: Path) -> None:
    """Loading a pickle can run code: a cache someone else can write to is not used."""
    cache = Cache(tmp_path, fingerprint="2" * 16)
    key = Cache.key("terraform", "main.tf", "x")
    cache.put(key, "result")
    assert cache.directory is not None
    assert cache.directory.stat().st_mode & 0o777 == 0o700
    assert Cache(tmp_path, fingerprint="2" * 16).get(key) == "result"

    cache.directory.chmod(0o777)  # anyone may now plant an entry
    shared = Cache(tmp_path, fingerprint="2" * 16)
    assert shared.get(key) is None
    shared.put(Cache.key("terraform", "other.tf", "y"), "planted?")
    assert not (cache.directory / Cache.key("terraform", "other.tf", "y")[:2]).exists()
