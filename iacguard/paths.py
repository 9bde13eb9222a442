"""How a file is named to a user, the same in every finding, error and report; and a path
left alone."""

from __future__ import annotations

import os
from pathlib import Path

from iacguard.records import dataclass


@dataclass(frozen=True, slots=True)
class NotRead:
    """A file or directory in the scanned paths that was left alone, and why."""

    file: str
    why: str


def display_path(path: Path) -> str:
    """The name a user sees: relative to the current directory when below it, with ``/``."""
    text = os.fspath(path)
    # what relpath returns, without its cost, for a normal path (not POSIX's "//x")
    if text and os.path.normpath(text) == text and not text.startswith(os.sep * 2):
        if not os.path.isabs(text):
            if not text.startswith(os.pardir):
                return text.replace(os.sep, "/")
        elif (cwd := os.getcwd()) == text:
            return "."
        else:
            below = cwd if cwd.endswith(os.sep) else cwd + os.sep
            if text.startswith(below):
                return text[len(below) :].replace(os.sep, "/")
            if not below.startswith(text.rstrip(os.sep) + os.sep):  # an ancestor is ".."
                return text.replace(os.sep, "/")
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
