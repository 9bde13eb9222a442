"""The progress bar: on a terminal only, after a delay, on stderr, cleared at the end."""

from __future__ import annotations

import io

from iacguard.commands.check import CheckRequest, scan_options
from iacguard.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_scan_shows_a_bar_and_clears_it() -> None:
    stream = Terminal()
    progress = Progress(stream, delay=0)
    progress.add(4)
    progress.advance(3)
    assert "iacguard [" in stream.getvalue()
    assert stream.getvalue().endswith("0/4 files")  # drawn at most ten times a second
    progress.close()
    assert stream.getvalue().endswith("\r\033[K")


def test_a_short_scan_shows_nothing() -> None:
    stream = Terminal()
    progress = Progress(stream)
    progress.add(4)
    progress.advance(4)
    progress.close()
    assert stream.getvalue() == ""


def options(fmt: str) -> CheckRequest:
    return CheckRequest(paths=["."], format=fmt)


def test_only_text_output_on_a_terminal_gets_a_bar(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stderr", Terminal())
    assert scan_options(options("text")).progress is not None
    for fmt in ("json", "sarif", "github"):
        assert scan_options(options(fmt)).progress is None
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert scan_options(options("text")).progress is None
