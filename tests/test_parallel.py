"""Worker processes: the same results as a serial scan, in the same order; a file that
takes too long, or a worker that dies, costs that file alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import FIXTURE_SAMPLE, ROOT, iacguard, stored_results
from speed_helpers import generated_corpus, scan_json

from iacguard import parsing, runner
from iacguard.cache import Cache
from iacguard.config import Config
from iacguard.engine import scan
from iacguard.errors import Error
from iacguard.findings import ScanResult
from iacguard.parsing import ScanOptions
from iacguard.runner import Failure, Unit


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers even for the few bytes of a test."""
    monkeypatch.setattr(runner, "pool_pays", lambda units, workers: True)


@pytest.mark.usefixtures("always_parallel")
def test_parallel_and_serial_scans_print_the_same() -> None:
    scan = ("check", *FIXTURE_SAMPLE, "--format", "json", "--no-cache")
    serial = iacguard(*scan, "--jobs", "1")
    parallel = iacguard(*scan, "--jobs", "2")
    assert json.loads(serial.stdout)["findings"]
    assert (serial.returncode, serial.stderr) == (1, "")
    assert (parallel.returncode, parallel.stdout, parallel.stderr) == (1, serial.stdout, "")


@pytest.mark.slow  # every fixture, scanned twice
@pytest.mark.usefixtures("always_parallel")
def test_parallel_and_serial_scans_of_every_fixture_print_the_same(
    every_fixture_scan: subprocess.CompletedProcess[str],
) -> None:
    serial = every_fixture_scan  # --jobs 1
    parallel = iacguard("check", "fixtures", "--format", "json", "--jobs", "2", "--no-cache",
                        "--show-suppressed")  # fmt: skip
    assert json.loads(serial.stdout)["findings"]
    assert (parallel.returncode, parallel.stdout, parallel.stderr) == (1, serial.stdout, "")
    assert (serial.returncode, serial.stderr) == (1, "")


@pytest.mark.slow  # a generated corpus, scanned twice
@pytest.mark.usefixtures("always_parallel")
def test_parallel_and_serial_scans_of_a_corpus_report_the_same() -> None:
    cwd = generated_corpus()
    serial = scan_json(".", "--jobs", "1", "--no-cache", cwd=cwd)
    parallel = scan_json(".", "--jobs", "2", "--no-cache", cwd=cwd)
    assert serial["findings"]
    assert parallel == serial


def units(*names: str) -> list[Unit]:
    return [Unit("terraform", name, name, "") for name in names]


def misbehave(unit: Unit) -> str:
    """A stand-in parser: ``slow`` sleeps, ``busy`` computes, ``crash`` kills its own
    process."""
    if unit.file.startswith("slow"):
        time.sleep(30)
    if unit.file == "busy":
        while True:
            pass
    if unit.file == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    return unit.file.upper()


def _findings(result: ScanResult) -> list[tuple[str, str, int | None]]:
    return [(f.rule_id, f.location.file, f.location.line) for f in result.findings]


def test_workers_send_back_the_cache_entry_they_wrote_and_it_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, always_parallel: None
) -> None:
    """A worker that stores a result sends its cache entry, not a pickle of it (files
    that are all parsed ahead: no nested stack, no module); what this process parses
    itself meanwhile is not read back."""
    decoded: list[str] = []
    decode = Cache.decode

    def recording(key: str, data: bytes) -> object:
        decoded.append(key)
        return decode(key, data)

    monkeypatch.setattr(Cache, "decode", staticmethod(recording))
    paths = [
        p for p in FIXTURE_SAMPLE if p.startswith("fixtures/cloudformation/") and "cdk" not in p
    ]
    serial = scan(paths, Config(), options=ScanOptions(jobs=1, cache=False))
    options = ScanOptions(jobs=2, cache_directory=tmp_path)
    parallel = scan(paths, Config(), options=options)
    assert _findings(serial)
    assert _findings(parallel) == _findings(serial)
    assert parallel.errors == serial.errors
    written = stored_results(tmp_path)
    assert decoded
    assert len(set(decoded)) == len(decoded)  # each once
    assert set(decoded) < set(written)  # what this process parsed is stored, not read


def test_an_entry_that_does_not_read_back_is_an_error_of_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, always_parallel: None
) -> None:
    monkeypatch.setattr(Cache, "decode", staticmethod(lambda key, data: None))
    templates = ["fixtures/cloudformation/policy_json_string.yaml",
                 "fixtures/cloudformation/policy_json_string.json"]  # fmt: skip
    options = ScanOptions(jobs=2, cache_directory=tmp_path)
    result = scan(templates, Config(), options=options)
    unreadable = "the parser process's result could not be read back"
    # the worker had the first unit; this process parsed the other, and reports it
    assert [(e.kind, e.file, e.message) for e in result.errors] == [
        ("internal", templates[0], unreadable)
    ]
    assert [(f.rule_id, f.location.file, f.location.line) for f in result.findings] == [
        ("IG002", templates[1], 7)
    ]


@pytest.mark.slow  # waits out time limits, in workers
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_over_the_time_limit_is_skipped_and_the_rest_go_on(
    jobs: int, always_parallel: None
) -> None:
    started = time.monotonic()
    results = runner.run(units("a", "slow", "b", "c"), misbehave, jobs=jobs, timeout=0.5)
    assert results == [
        "A",
        Failure(Error("limit", "took longer than 2 s to parse; skipped")),
        "B",
        "C",
    ]
    assert time.monotonic() - started < 10


@pytest.mark.slow  # waits out time limits, in workers
@pytest.mark.parametrize("jobs", [1, 2])
def test_the_time_limit_counts_cpu_time(
    jobs: int, always_parallel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that computes is stopped after its limit in CPU time (the same file passes
    or fails whatever the load); one that blocks only after the wall-time backstop,
    here far enough that a loaded machine cannot reach it first."""
    monkeypatch.setattr(runner, "WALL_FACTOR", 60)
    started = time.monotonic()
    results = runner.run(units("a", "busy", "b"), misbehave, jobs=jobs, timeout=0.5)
    assert results == [
        "A",
        Failure(Error("limit", "took more than 0.5 s of CPU time to parse; skipped")),
        "B",
    ]
    assert time.monotonic() - started < 30


@pytest.mark.slow  # waits out time limits, in workers
@pytest.mark.parametrize("jobs", [1, 2])
def test_files_past_the_scan_budget_are_not_parsed(jobs: int, always_parallel: None) -> None:
    """Besides each file's limit, the scan has a budget: files not started within it
    are errors of their own, so a thousand slow files cannot hold a CI job for hours."""
    names = ["slow-1", "slow-2", "slow-3", "slow-4"]
    results = runner.run(units(*names), misbehave, jobs=jobs, timeout=0.25, budget=0.2)
    slow = Failure(Error("limit", "took longer than 1 s to parse; skipped"))
    budget = Failure(Error("limit", "not parsed: the scan used up its 0.2 s for parsing"))
    assert results == [slow] * jobs + [budget] * (4 - jobs)


def test_a_worker_that_dies_costs_its_file_alone(always_parallel: None) -> None:
    """The first unit goes to the worker (this process parses the next ones meanwhile)."""
    results = runner.run(units("crash", "a", "b", "c", "d"), misbehave, jobs=2, timeout=20)
    assert results[0] == Failure(
        Error("internal", "the parser process stopped unexpectedly (signal 9); skipped")
    )
    assert results[1:] == ["A", "B", "C", "D"]


@pytest.mark.slow  # waits out a time limit, in a worker
def test_a_slow_file_becomes_an_error_of_that_file(
    monkeypatch: pytest.MonkeyPatch, always_parallel: None
) -> None:
    parse_unit = parsing.parse_unit

    def slow_on_one(unit: Unit) -> object:
        if unit.file.endswith("wildcard-action/positive_every_wildcard.yaml"):
            time.sleep(30)
        return parse_unit(unit)

    monkeypatch.setattr(parsing, "parse_unit", slow_on_one)
    options = ScanOptions(jobs=2, cache=False, timeout=1)
    result = scan(["fixtures/cloudformation"], Config(), options=options)
    assert [(e.kind, e.file, e.line, e.message) for e in result.errors] == [
        (
            "limit",
            "fixtures/cloudformation/wildcard-action/positive_every_wildcard.yaml",
            None,
            "took longer than 4 s to parse; skipped",
        )
    ]
    assert result.findings


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    from helpers import iacguard

    done = iacguard("check", "fixtures", "--jobs", "0")
    assert done.returncode == 2
    assert "--jobs: must be greater than 0" in done.stderr


def test_the_scan_budget_is_set_on_the_command_line(tmp_path: Path) -> None:
    from helpers import iacguard

    template = ROOT / "fixtures/cloudformation/wildcard-action/positive_every_wildcard.yaml"
    (tmp_path / "t.yaml").write_bytes(template.read_bytes())
    done = iacguard(
        "check", "t.yaml", "--parse-budget", "0.000001", "--jobs", "1", "--no-cache", cwd=tmp_path
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "No findings in 0 files scanned; 1 error.\n",
        "t.yaml: error: not parsed: the scan used up its 1e-06 s for parsing\n",
    )


def test_the_cost_model_estimates_from_its_constants() -> None:
    # four CloudFormation texts of one second each: alone, one import and four seconds;
    # with two workers, each imports and parses two
    rate = runner.BYTES_PER_SECOND["cloudformation"]
    units = [runner.Unit("cloudformation", f"{n}.yaml", "x" * rate, "") for n in range(4)]
    imported = runner.IMPORT_SECONDS["cloudformation"]
    serial, pooled = runner.estimate(units, 2)
    assert serial == pytest.approx(4 + imported)
    assert pooled == pytest.approx(2 + imported)
    assert runner.pool_pays(units, 2)
    # two seconds: halved, less than workers cost
    assert not runner.pool_pays(units[:2], 2)


def test_the_garbage_collector_is_paused_while_a_scan_parses_and_on_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    seen: list[tuple[str, bool]] = []
    parse = parsing.parse_unit

    def recording(unit: Unit) -> object:
        seen.append((unit.file, gc.isenabled()))
        return parse(unit)

    monkeypatch.setattr(parsing, "parse_unit", recording)
    assert gc.isenabled()
    template = "fixtures/cloudformation/policy_json_string.yaml"
    result = scan([template], Config(), options=ScanOptions(jobs=1, cache=False))
    assert [(f.rule_id, f.location.line) for f in result.findings if f.rule_id == "IG002"] == [
        ("IG002", 12), ("IG002", 18), ("IG002", 25), ("IG002", 26)]  # fmt: skip
    assert seen == [(template, False)]
    assert gc.isenabled()


def test_a_template_that_fails_late_is_freed_once_parsed_with_the_collector_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader keeps its error, whose traceback keeps the reader and the template it
    was building: a cycle, which only the collector frees. Paused for the whole scan, it
    sweeps once each file is parsed (120 such templates of 0.9 MB held 1.8 GB)."""
    import gc

    from iacguard.parsers.template_reader import _Builder

    tags = "".join(f"        - {{Key: k{i}, Value: v{i}}}\n" for i in range(200))
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Tags:\n"
            f"{tags}      Tags: again\n"
        )
    alive: list[int] = []
    parse = parsing.parse_unit

    def counting(unit: Unit) -> object:
        alive.append(sum(type(o) is _Builder for o in gc.get_objects()))
        return parse(unit)

    monkeypatch.setattr(parsing, "parse_unit", counting)
    result = scan([str(tmp_path)], Config(), options=ScanOptions(jobs=1, cache=False))
    assert [(Path(e.file).name, e.line) for e in result.errors] == [
        ("a.yaml", 5),
        ("b.yaml", 5),
    ]
    assert all("Duplicate found 'Tags'" in e.message for e in result.errors)
    assert alive == [0, 0]  # the first template's reader is gone before the second's parse
