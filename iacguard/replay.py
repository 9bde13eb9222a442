"""A scan replayed: when nothing a scan depended on has changed since the same command
last ran, what it wrote (stdout, ``--output-*`` files, exit code) is written again
without parsing, resolving or checking anything. Pre-commit and CI reruns mostly scan
what they scanned before.

What a scan depends on: iacguard's code (the cache directory is per version), the
working directory, the command's settings and the config, the baseline, whether the
output is coloured, what discovery finds, and every answer the file system gave the
scan: each file read (by digest), each directory listed, each path tested, whether it
existed or not (``iacguard.observed``). The first six make the key of the entry; the
last two are asked again, and any different answer is a miss that scans as usual.

Not replayed: a scan that reported errors (a time limit or a lost worker may not
happen twice), scans against a diff base (git's state is not a file it reads), baseline
writes and GitHub job summaries (they append to a file).
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from iacguard.cache import Cache, default_directory
from iacguard.records import dataclass, field, fields, is_record

if TYPE_CHECKING:
    from iacguard.commands.check import CheckRequest
    from iacguard.config import Config
    from iacguard.discover import Discovery
    from iacguard.observed import Journal

FORMAT = 1
# settings that change nothing a scan writes (--jobs: a parallel scan writes what a
# serial one does)
_NOT_OUTPUT = frozenset({"jobs", "profile"})


@dataclass(slots=True)
class Written:
    """What a scan's command wrote: stdout, the output files (path, text), exit code."""

    stdout: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)
    code: int = 0


class Replay:
    """The replay entry of one command: looked up, else stored after the scan."""

    def __init__(self, request: CheckRequest, config: Config, paths: list[str], colour: bool):
        self.cache = Cache(default_directory())
        self.paths = paths
        self.config = config
        self.discovery: Discovery | None = None  # once looked up: for the scan to use
        settings = {
            name: getattr(request, name)
            for name in type(request).__slots__
            if name not in _NOT_OUTPUT
        }
        self.key = _digest(  # TypeError for a setting it cannot key: not replayed
            "replay",
            FORMAT,
            Path.cwd(),
            settings,
            paths,
            config,
            _file_digest(request.baseline) if request.baseline else None,
            colour,
        )

    @staticmethod
    def wanted(request: CheckRequest) -> bool:
        """Whether this command may be replayed."""
        summary = request.github and os.environ.get("GITHUB_STEP_SUMMARY")
        return (
            request.cache and not request.diff_base and not request.write_baseline and not summary
        )

    def lookup(self) -> Written | None:
        """What the command wrote last time, when nothing it depended on changed."""
        from iacguard.discover import discover
        from iacguard.observed import unchanged

        self.discovery = discover(self.paths, self.config.excluded, gitignore=self.config.gitignore)
        entry = self.cache.get(self.key) if self.cache.enabled else None
        if entry is None or not _well_formed(entry):
            return None
        if entry["discovery"] != _digest(self.discovery):
            return None
        if not unchanged(entry["journal"]):
            return None
        files = [(path, text) for path, text in entry["files"]]
        return Written(entry["stdout"], files, entry["code"])

    def store(self, journal: Journal, written: Written) -> None:
        from iacguard.observed import entries

        if self.discovery is None:
            return
        self.cache.put(
            self.key,
            {
                "discovery": _digest(self.discovery),
                "journal": entries(journal),
                "stdout": written.stdout,
                "files": [[path, text] for path, text in written.files],
                "code": written.code,
            },
        )


def _well_formed(entry: Any) -> bool:
    """An entry as ``store`` writes them (the codec checks only that it is plain data)."""
    if not isinstance(entry, dict):
        return False
    journal, files = entry.get("journal"), entry.get("files")
    return (
        isinstance(entry.get("discovery"), str)
        and isinstance(entry.get("stdout"), str)
        and type(entry.get("code")) is int
        and isinstance(journal, list)
        and all(
            isinstance(q, list) and len(q) == 4 and all(type(p) is str for p in q) for q in journal
        )
        and isinstance(files, list)
        and all(
            isinstance(f, list) and len(f) == 2 and all(type(p) is str for p in f) for f in files
        )
    )


def _file_digest(name: str) -> str:
    try:
        return hashlib.sha256(Path(name).read_bytes()).hexdigest()
    except OSError as exc:
        return f"not read: {exc.strerror or exc}"


def _digest(*values: Any) -> str:
    text = json.dumps(_plain(values), ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _plain(value: Any) -> Any:
    """``value`` as JSON data that is the same in every process (sets sorted)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return [type(value).__name__, _plain(value.value)]
    if isinstance(value, PurePath):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return [[_plain(k), _plain(v)] for k, v in value.items()]
    if is_record(value) and not isinstance(value, type):
        named = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        return [type(value).__name__, named]
    raise TypeError(f"cannot key a {type(value).__name__}")
