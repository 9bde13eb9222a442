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


# Directories discovery never enters (besides hidden ones), and file() never reads from.
SKIPPED_DIRECTORIES = frozenset({".git", ".terraform", "node_modules", "__pycache__"})


def skipped_directory(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or name.startswith(".")


def skipped(relative: Path) -> bool:
    """Whether discovery skips ``relative`` (a path under a scanned directory): a hidden
    or skipped directory on the way (``.git``), or a hidden file. Nothing reads those."""
    *directories, name = relative.parts or ("",)
    return any(skipped_directory(d) for d in directories) or name.startswith(".")
