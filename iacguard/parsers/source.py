"""Reading a file as text, the same way for every format: size limit, binary and encoding.

Only regular files are opened (a named pipe called ``x.yaml`` would block a read, a
device would never end), and never more than the size limit is read: python-hcl2 needs
a few hundred bytes of memory per byte of input, so the limit is what bounds memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from iacguard import observed
from iacguard.limits import (  # noqa: F401 (the readers import them from here)
    DEFAULT_MAX_FILE_BYTES,
    MAX_NESTING,
    brackets_too_deep,
    nested_too_deeply,
)

if TYPE_CHECKING:
    from iacguard.errors import ErrorKind

_CHUNK = 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read as text; the message is what a user sees."""

    kind: ErrorKind = "parse"

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class TooLarge(SourceError):
    """A file over the size limit."""

    kind: ErrorKind = "limit"

    def __init__(self, size: int, max_bytes: int) -> None:
        super().__init__(
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; to scan it, raise "
            "the limit with --max-file-bytes"
        )


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``."""
    try:
        data = _read_bytes(path, max_bytes)
    except SourceError as exc:
        observed.read(path, max_bytes, None, exc.message)
        raise
    observed.read(path, max_bytes, data)
    return data


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        with _open_regular(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:
                raise TooLarge(size, max_bytes)
            # read(n) allocates n bytes first: ask for the size, then for what the file
            # may have grown by since (past the limit is enough to tell)
            data = stream.read(size + 1)
            if len(data) > size:
                data += stream.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise TooLarge(len(data), max_bytes)
    return data


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """Read ``path`` as UTF-8 (an optional BOM is dropped) with universal newlines."""
    return decode_text(read_bytes(path, max_bytes))


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError("UTF-16 text; save the file as UTF-8")
    if b"\x00" in data[:8192]:
        raise SourceError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError("not valid UTF-8 text", line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def contains(path: Path, markers: tuple[bytes, ...]) -> bool:
    """Whether a file of any size holds one of ``markers``, read a chunk at a time so
    that memory stays bounded. A file that cannot be read holds none."""
    found = _contains(path, markers)
    observed.contains(path, markers, found)
    return found


def _contains(path: Path, markers: tuple[bytes, ...]) -> bool:
    overlap = max(len(m) for m in markers) - 1
    tail = b""
    try:
        with _open_regular(path) as stream:
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                if any(m in window for m in markers):
                    return True
                tail = window[-overlap:]
    except (OSError, SourceError):
        return False
    return False


def _open_regular(path: Path) -> BinaryIO:
    """Open without blocking (opening a named pipe waits for a writer) and refuse
    anything but a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceError("not a regular file; not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file; none when it cannot be read."""
    head = _read_head(path, size)
    observed.head(path, size, head)
    return head


def _read_head(path: Path, size: int) -> bytes:
    try:
        with _open_regular(path) as stream:
            return stream.read(size)
    except (OSError, SourceError):
        return b""
