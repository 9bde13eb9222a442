"""Path patterns with gitignore semantics (pathspec): the config's ``exclude`` and
``ignore[].path``, and the ``.gitignore`` files a scan honours.

Patterns come from the scanned repository, so each is checked before it is used: one
that is not valid, or that has more than two ``*`` in one path segment (Python's regex
engine takes exponential time to reject a long name against ``*a*a*a*b``), is refused.

pathspec's answers are kept in the cache (``remembering``): importing it costs 20 to
40 ms, as much as the rest of a replayed scan, whose discovery asks it of every file and
directory in a repository with a ``.gitignore``. An answer depends only on the pattern
(is it valid) or on the list of patterns and the path (does it match), and pathspec's
version is part of the cache's; pathspec is imported when a question is new.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

    from iacguard.cache import Cache

MAX_STARS = 2
MAX_GITIGNORE_BYTES = 1024 * 1024
_STAR = re.compile(r"(?<!\*)\*(?!\*)")  # a single *, not part of **
_FORMAT = 1
# answers kept at most; a directory whose scans ask more starts again (each scan asks a
# few per file and directory it walks)
MAX_ANSWERS = 200_000


class _Answers:
    """What pathspec answered: each pattern's problem ("" for none), and for each list of
    patterns (by its digest) whether each path it was asked about matched."""

    def __init__(self, kept: Any) -> None:
        self.problems: dict[str, str] = {}
        self.matches: dict[str, dict[str, bool | None]] = {}
        self.added = False
        if _well_formed(kept):
            self.problems, self.matches = kept["problems"], kept["matches"]
        self.size = len(self.problems) + sum(map(len, self.matches.values()))

    def match(self, patterns: Patterns, path: str) -> bool | None:
        answers = self.matches.get(patterns.key)
        if answers is not None and path in answers:
            return answers[path]
        include = patterns.compiled().check_file(path).include
        self._grown()
        self.matches.setdefault(patterns.key, {})[path] = include
        return include

    def problem(self, pattern: str, why: str | None) -> None:
        self._grown()
        self.problems[pattern] = why or ""

    def _grown(self) -> None:
        """One answer more; past ``MAX_ANSWERS``, those kept before are dropped."""
        if self.size >= MAX_ANSWERS:
            self.problems, self.matches, self.size = {}, {}, 0
        self.size += 1
        self.added = True

    def plain(self) -> dict[str, Any]:
        return {"problems": self.problems, "matches": self.matches}


def _well_formed(kept: Any) -> bool:
    """Answers as ``_Answers.plain`` stores them (the codec checks only that they are
    plain data)."""
    if not isinstance(kept, dict):
        return False
    problems, matches = kept.get("problems"), kept.get("matches")
    return (
        isinstance(problems, dict)
        and all(type(k) is str and type(v) is str for k, v in problems.items())
        and isinstance(matches, dict)
        and all(
            type(key) is str
            and isinstance(answers, dict)
            and all(type(p) is str and (m is None or type(m) is bool) for p, m in answers.items())
            for key, answers in matches.items()
        )
    )


_remembered: list[_Answers] = []  # the answers being kept last


@contextlib.contextmanager
def remembering(cache: Cache | None) -> Iterator[None]:
    """Until the block ends, answer from what ``cache`` kept for this directory, and
    keep what was asked anew. ``None``: pathspec answers everything."""
    try:
        here = os.getcwd()
    except OSError:  # the current directory was removed
        cache = None
    if cache is None or not cache.enabled:
        yield
        return
    key = hashlib.sha256(
        f"path patterns\0{_FORMAT}\0{here}".encode("utf-8", "surrogateescape")
    ).hexdigest()
    answers = _Answers(cache.get(key))
    _remembered.append(answers)
    try:
        yield
    finally:
        _remembered.remove(answers)
        if answers.added:
            cache.put(key, answers.plain())


def problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used, or None."""
    if any(len(_STAR.findall(segment)) > MAX_STARS for segment in pattern.split("/")):
        return f"more than {MAX_STARS} * in one folder or file name"
    answers = _remembered[-1] if _remembered else None
    if answers is not None and pattern in answers.problems:
        return answers.problems[pattern] or None
    from pathspec import GitIgnoreSpec

    why = None
    try:
        GitIgnoreSpec.from_lines([pattern])
    except (ValueError, re.error) as exc:
        why = f"not a valid pattern: {exc}"
    if answers is not None:
        answers.problem(pattern, why)
    return why


class Patterns:
    """Patterns that passed ``problem``, as one list: later ones (``!keep``) win."""

    __slots__ = ("_spec", "key", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        joined = "\n".join(self.patterns).encode("utf-8", "surrogateescape")
        self.key = hashlib.sha256(joined).hexdigest()
        self._spec: GitIgnoreSpec | None = None

    def compiled(self) -> GitIgnoreSpec:
        if self._spec is None:
            from pathspec import GitIgnoreSpec

            self._spec = GitIgnoreSpec.from_lines(list(self.patterns))
        return self._spec

    def match(self, path: str) -> bool | None:
        """Whether ``path`` (relative, ``/``-separated, a directory's ending in ``/``)
        matches: True, False for a ``!`` pattern, None for none."""
        if _remembered:
            return _remembered[-1].match(self, path)
        return self.compiled().check_file(path).include


@lru_cache(maxsize=256)
def matches(pattern: str, path: str) -> bool:
    """``path`` (relative, ``/``-separated) matches one checked ``pattern``."""
    return bool(_one(pattern).match(path))


@lru_cache(maxsize=256)
def _one(pattern: str) -> Patterns:
    return Patterns([pattern])


class GitIgnores:
    """The ``.gitignore`` files that apply to a walk: those in the scanned directories and
    below, and those above a scanned directory up to its git repository's root, as long
    as they are inside the current directory (a scan reads nothing outside the scanned
    paths and the current directory). A symbolic link named ``.gitignore`` is not read."""

    def __init__(self) -> None:
        self.specs: dict[str, Patterns] = {}  # by absolute directory
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
        self.specs[key] = Patterns(patterns)

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
                include = gitignore.match(relative)
                if include is not None:
                    decision = include
            parent = os.path.join(parent, parts[index])
        return decision


def _shown(path: Path) -> str:
    from iacguard.paths import display_path

    return display_path(path)
