"""Every test runs at the repository root: findings carry paths relative to the
current directory, and tests compare them as a user reads them. No test writes to the
user's cache: each gets an empty cache directory of its own."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, iacguard


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (addopts): a worker per core when the run holds a folder of tests, none
    for named test files or tests, where starting workers costs more than it saves."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist's own rule honours it
    named = [arg for arg in config.args if ".py" in arg]
    return 0 if named and len(named) == len(config.args) else None


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings carry paths relative to the current directory; tests read them from the root."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(autouse=True)
def _cache_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Scans cache parse results; in tests, in a fresh temporary directory."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(directory))
    return directory


@pytest.fixture(scope="session")
def every_fixture_scan(
    tmp_path_factory: pytest.TempPathFactory,
) -> subprocess.CompletedProcess[str]:
    """One real scan of every fixture, serial, uncached, suppressed findings shown, by the
    command line, shared by the tests that only read its output: each scanning
    ``fixtures/`` again would cost a second or two and test nothing more. In this process,
    so that it has also imported everything a scan of the fixtures needs."""
    options = ["--format", "json", "--jobs", "1", "--no-cache", "--show-suppressed"]
    with pytest.MonkeyPatch.context() as patch:  # never the user's cache, even unused
        patch.setenv("IACGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        return iacguard("check", "fixtures", *options, cwd=ROOT)
