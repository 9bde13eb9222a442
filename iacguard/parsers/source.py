"""Reading a file as text, the same way for every format: size limit, binary and encoding."""

from __future__ import annotations

from pathlib import Path

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be read as text; the message is what a user sees."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """Read ``path`` as UTF-8 (an optional BOM is dropped) with universal newlines."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; "
                "raise max_file_bytes to scan it"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
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
