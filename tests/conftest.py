"""Every test runs at the repository root: findings carry paths relative to the
current directory, and tests compare them as a user reads them. No test writes to the
user's cache: each gets an empty cache directory of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EVERY_FIXTURE_SCAN, ROOT


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
    """One real scan of every fixture, uncached, by the installed command in a process of
    its own (``EVERY_FIXTURE_SCAN``), shared by the tests that only read its output: each
    scanning ``fixtures/`` again would cost seconds and test nothing more."""
    cache = tmp_path_factory.mktemp("cache")  # unused with --no-cache: never the user's
    return subprocess.run(
        [sys.executable, "-m", "iacguard", *EVERY_FIXTURE_SCAN],
        cwd=ROOT,
        env={**os.environ, "IACGUARD_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=False,
    )
