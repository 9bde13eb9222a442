"""How a file is named to a user, the same in every finding, error and report."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """The name a user sees: relative to the current directory when below it, with ``/``."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        relative = str(path)
    if relative.startswith(".." + os.sep) and path.is_absolute():
        relative = str(path)
    return relative.replace(os.sep, "/")
