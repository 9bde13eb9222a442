"""The one error type: a part of the input that could not be checked, and why.

Every layer reports what it could not do with an ``Error``; the reporters render it
(text, JSON ``errors``, SARIF notifications, annotations) and any error makes the exit
code 2. An error is never an exception: the scan goes on without that part.
"""

from __future__ import annotations

from typing import Literal

from iacguard.model import Location
from iacguard.records import dataclass, field

# parse: a file that cannot be read or decoded; value: a malformed value in a file that
# could be read; limit: a limit the input ran into (size, nesting, time); internal: a
# bug in iacguard, which cost the part it was working on.
ErrorKind = Literal["parse", "value", "internal", "limit"]


@dataclass(frozen=True, slots=True)
class Error:
    """``file`` None: about the scan as a whole (a check over the whole model failed).
    ``line`` None: about the whole file; ``column`` None: only the line is known (a
    decoder that reports lines only), which is why this is not a ``Location``."""

    kind: ErrorKind
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    # The other files an error is about (every file of a module that could not be read),
    # so that PR mode reports it when any of them changed.
    concerns: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def at(cls, kind: ErrorKind, message: str, location: Location) -> Error:
        return cls(kind, message, location.file, location.line, location.column)


def internal(where: Location | str | None, during: str, exc: BaseException) -> Error:
    """A bug met ``during`` a phase or check (``"in IG002"``, ``"while parsing"``) at
    ``where`` (a place, a file, or None for the whole scan)."""
    message = f"internal error {during}: {type(exc).__name__}: {exc}"
    if isinstance(where, Location):
        return Error.at("internal", message, where)
    return Error("internal", message, where)
