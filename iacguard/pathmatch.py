"""Path patterns with gitignore semantics (pathspec): the config's ``exclude`` and
``ignore[].path``, and the ``.gitignore`` files a scan honours.

Patterns come from the scanned repository, so each is checked before it is used: one
that is not valid, or that has more than two ``*`` in one path segment (Python's regex
engine takes exponential time to reject a long name against ``*a*a*a*b``), is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

MAX_STARS = 2
MAX_GITIGNORE_BYTES = 1024 * 1024
_STAR = re.compile(r"(?<!\*)\*(?!\*)")  # a single *, not part of **


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or None."""
    if any(len(_STAR.findall(segment)) > MAX_STARS for segment in pattern.split("/")):
        return f"more than {MAX_STARS} * in one folder or file name"
    from pathspec import GitIgnoreSpec

    try:
        GitIgnoreSpec.from_lines([pattern])
    except (ValueError, re.error) as exc:
        return f"not a valid pattern: {exc}"
    return None


def spec(patterns: Iterable[str]) -> GitIgnoreSpec:
    """Patterns that passed ``problem``, as one spec: later ones (``!keep``) win."""
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(list(patterns))


@lru_cache(maxsize=256)
def matches(pattern: str, path: str) -> bool:
    """``path`` (relative, ``/``-separated) matches one checked ``pattern``."""
    return spec([pattern]).match_file(path)


class GitIgnores:
    """The ``.gitignore`` files that apply to a walk: those in the scanned directories and
    below, and those above a scanned directory up to its git repository's root, as long
    as they are inside the current directory (a scan reads nothing outside the scanned
    paths and the current directory). A symbolic link named ``.gitignore`` is not read."""

    def __init__(self) -> None:
        self.specs: dict[str, GitIgnoreSpec] = {}  # by absolute directory
        self.warnings: list[tuple[str, str]] = []  # (file[:line], why)

    def above(self, root: Path) -> None:
        """Load the ``.gitignore`` files above ``root``, outermost first."""
        here = Path.cwd().absolute()
        chain = []
        for directory in Path(root).absolute().parents:
            if directory != here and not directory.is_relative_to(here):
                break
            chain.append(directory)
            if (directory / ".git").exists():
                break
        for directory in reversed(chain):
            self.load(directory)

    def load(self, directory: Path) -> None:
        key = os.path.abspath(directory)
        if key in self.specs:
            return
        path = Path(directory) / ".gitignore"
        try:
            if path.is_symlink() or not path.is_file():
                return
            if path.stat().st_size > MAX_GITIGNORE_BYTES:
                self.warnings.append((_shown(path), "over 1 MiB; not read"))
                return
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.warnings.append((_shown(path), f"cannot read: {exc.strerror or exc}"))
            return
        patterns = []
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.rstrip()
            if not stripped or stripped.startswith("#"):
                continue
            why = problem(stripped)
            if why is None:
                patterns.append(stripped)
            else:
                self.warnings.append((f"{_shown(path)}:{number}", f"{why}; pattern not used"))
        self.specs[key] = spec(patterns)

    def ignored(self, path: str | Path, *, directory: bool) -> bool:
        """The deepest ``.gitignore`` that has a say decides, as in git. Strings, not
        Paths: discovery asks this of every candidate and directory of a tree."""
        parts = os.path.abspath(path).split(os.sep)
        parent = parts[0] + os.sep
        decision = False
        for index in range(1, len(parts)):
            gitignore = self.specs.get(parent)
            if gitignore is not None:
                relative = "/".join(parts[index:]) + ("/" if directory else "")
                include = gitignore.check_file(relative).include
                if include is not None:
                    decision = include
            parent = os.path.join(parent, parts[index])
        return decision


def _shown(path: Path) -> str:
    from iacguard.paths import display_path

    return display_path(path)
