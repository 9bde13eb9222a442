"""Every test runs at the repository root: findings carry paths relative to the
current directory, and tests compare them as a user reads them. No test writes to the
user's cache: each gets an empty cache directory of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT


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
