"""What a scan asked the file system, and the answers it got, so that a later scan with
the same settings can tell whether anything it depended on changed (``iacguard.replay``).

The readers report here every file they read (its digest, or why it could not be
read), every directory they list and every path whose existence they test, including
those that did not exist: a module directory or a variables file created later changes
what a scan finds as surely as an edited file does. The directory of every file read is
listed too, so a file added beside it (``terraform.tfvars``, ``.terraform``) is seen.
Nothing is kept unless a scan is recording: then each question costs one more test.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

# (question, path, parameter) → answer, in the order they were first asked
Journal = dict[tuple[str, str, str], str]

_recording: list[Journal] = []  # the journal being written last


@contextlib.contextmanager
def recording() -> Iterator[Journal]:
    """Record the questions asked until the block ends."""
    journal: Journal = {}
    _recording.append(journal)
    try:
        yield journal
    finally:
        _recording.remove(journal)


def _journal() -> Journal | None:
    return _recording[-1] if _recording else None


def read(path: Path, max_bytes: int, data: bytes | None, error: str = "") -> None:
    """A file read (``data``), or not read (``error``: why), with this size limit."""
    journal = _journal()
    if journal is None:
        return
    answer = "sha256:" + hashlib.sha256(data).hexdigest() if data is not None else error
    journal.setdefault(("read", os.fspath(path), str(max_bytes)), answer)
    listed(Path(path).parent)


def head(path: Path, size: int, data: bytes) -> None:
    """The first ``size`` bytes of a file (none: it could not be read), read to tell
    its format by its content."""
    journal = _journal()
    if journal is not None:
        answer = "sha256:" + hashlib.sha256(data).hexdigest()
        journal.setdefault(("head", os.fspath(path), str(size)), answer)


def contains(path: Path, markers: tuple[bytes, ...], found: bool) -> None:
    """Whether a file holds one of ``markers`` (a file too large to read whole)."""
    journal = _journal()
    if journal is not None:
        parameter = b"\0".join(markers).decode("latin-1")
        journal.setdefault(("contains", os.fspath(path), parameter), _yes(found))


def is_dir(path: Path) -> bool:
    """``path.is_dir()``, recorded."""
    found = path.is_dir()
    journal = _journal()
    if journal is not None:
        journal.setdefault(("is_dir", os.fspath(path), ""), _yes(found))
    return found


def is_file(path: Path) -> bool:
    """``path.is_file()``, recorded."""
    found = path.is_file()
    journal = _journal()
    if journal is not None:
        journal.setdefault(("is_file", os.fspath(path), ""), _yes(found))
    return found


def listed(directory: Path) -> None:
    """A directory whose entries the scan looked at."""
    journal = _journal()
    if journal is not None:
        key = ("listing", os.fspath(directory), "")
        if key not in journal:
            journal[key] = _listing(directory)


def unchanged(journal: list[list[str]]) -> bool:
    """Whether every question of a journal (as ``entries`` wrote it) gets the same
    answer now."""
    from iacguard.parsers.source import SourceError, contains, read_bytes, read_head

    for question, name, parameter, answer in journal:
        path = Path(name)
        if question == "read":
            try:
                digest = "sha256:" + hashlib.sha256(read_bytes(path, int(parameter))).hexdigest()
            except SourceError as exc:
                digest = exc.message
            if digest != answer:
                return False
        elif question == "head":
            if "sha256:" + hashlib.sha256(read_head(path, int(parameter))).hexdigest() != answer:
                return False
        elif question == "contains":
            markers = tuple(m.encode("latin-1") for m in parameter.split("\0"))
            if _yes(contains(path, markers)) != answer:
                return False
        elif question == "is_dir":
            if _yes(path.is_dir()) != answer:
                return False
        elif question == "is_file":
            if _yes(path.is_file()) != answer:
                return False
        elif question != "listing" or _listing(path) != answer:
            return False
    return True


def entries(journal: Journal) -> list[list[str]]:
    """The journal as plain lists, to be stored."""
    return [[*question, answer] for question, answer in journal.items()]


def _listing(directory: Path) -> str:
    try:
        with os.scandir(directory) as listing:
            names = sorted(entry.name for entry in listing)
    except OSError as exc:
        return f"not listed: {exc.strerror or exc}"
    joined = "\0".join(names).encode("utf-8", "surrogateescape")
    return "sha256:" + hashlib.sha256(joined).hexdigest()


def _yes(answer: bool) -> str:
    return "yes" if answer else "no"
