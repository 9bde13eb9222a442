"""What the formats whose units give a ``ParseResult`` (templates, plans) share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iacguard.errors import Error
    from iacguard.parsers import ParseResult
    from iacguard.runner import Unit


class ParseResults:
    """A format read file by file into ``ParseResult``s, needing nothing loaded before
    its workers start and reading no directory whole."""

    by_directory = False
    directory_file: str | None = None

    def owns(self, directory: Path) -> bool:
        return False

    def failed(self, unit: Unit, error: Error) -> ParseResult:
        from iacguard.parsers import ParseResult

        return ParseResult(errors=[error])

    def is_result(self, value: object) -> bool:
        from iacguard.parsers import ParseResult

        return isinstance(value, ParseResult)

    def before_parsing(self) -> None:
        pass
