"""Parsers: each knows one format and produces the shared model (``iacguard.model``).

``ParseResult`` (``iacguard.parsers.result``) is loaded on first use: a replayed scan
reads files through ``iacguard.parsers.source`` and must not pay for the model's import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iacguard.parsers.result import ParseResult as ParseResult


def __getattr__(name: str) -> Any:
    if name == "ParseResult":
        from iacguard.parsers.result import ParseResult

        return ParseResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
