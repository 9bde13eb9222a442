"""Every test runs at the repository root: findings carry paths relative to the
current directory, and tests compare them as a user reads them."""

from __future__ import annotations

import pytest
from helpers import ROOT


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings carry paths relative to the current directory; tests read them from the root."""
    monkeypatch.chdir(ROOT)
