"""A progress bar on stderr for long scans: only on a terminal, only once a scan has
taken a while (a pre-commit run should print nothing but its result), cleared when done."""

from __future__ import annotations

import time
from typing import TextIO

DELAY = 2.0  # seconds before the bar appears
INTERVAL = 0.1  # seconds between redraws
WIDTH = 30


class Progress:
    def __init__(self, stream: TextIO, delay: float = DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        """A bar only where a person watches: a terminal."""
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())

    def add(self, count: int) -> None:
        """More files to do."""
        self.total += count
        self._draw()

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._draw()

    def _draw(self) -> None:
        now = time.monotonic()
        if now - self.started < self.delay or now - self.drawn < INTERVAL or not self.total:
            return
        self.drawn = now
        self.shown = True
        filled = WIDTH * min(self.done, self.total) // self.total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\riacguard [{bar}] {self.done}/{self.total} files")
        self.stream.flush()

    def close(self) -> None:
        """Clear the bar, so what follows starts on a clean line."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
