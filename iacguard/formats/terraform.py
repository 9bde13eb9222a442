"""Terraform configurations: a directory is a module, read with all its files.

Every file is parsed once, ahead; resolution then joins a module's files, its callers'
values and its variables files, and asks for the files it needs that were not parsed
ahead (variables files, local modules outside the scanned paths). The pre-filter is on
the text of a directory's files: a module that cannot change a finding is not parsed
(``iacguard.prefilter``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.paths import display_path

if TYPE_CHECKING:
    from iacguard.config import Config
    from iacguard.errors import Error
    from iacguard.formats import Scheduler
    from iacguard.parsers import ParseResult
    from iacguard.parsers.terraform import ParsedFile
    from iacguard.runner import Unit

KIND = "terraform"  # its units' kind, the cache keys' and the profile's name for it


class Terraform:
    name = KIND
    title = "Terraform"
    kinds: tuple[str, ...] = (KIND, "tfvars")
    suffixes: tuple[str, ...] = (".tf", ".tf.json")
    by_directory = True
    markers: tuple[bytes, ...] = ()
    directory_file: str | None = None

    def owns(self, directory: Path) -> bool:
        return False

    def reader(self, parsing: Scheduler, config: Config) -> _Reader:
        return _Reader(parsing, config)

    def parse(self, unit: Unit) -> ParsedFile:
        from iacguard.parsers.terraform import parse_text

        return parse_text(unit.text, unit.file, variables=unit.kind == "tfvars")

    def failed(self, unit: Unit, error: Error) -> ParsedFile:
        from iacguard.parsers.terraform import ParsedFile

        return ParsedFile(errors=[error])

    def is_result(self, value: object) -> bool:
        from iacguard.parsers.terraform import ParsedFile

        return isinstance(value, ParsedFile)

    def before_parsing(self) -> None:
        # iacguard's Terraform module (resolution needs it anyway) and python-hcl2's
        # parse tables (18 MB; at 5,000 files the scan's peak PSS went 156 -> 148 MB)
        import contextlib

        import iacguard.parsers.terraform  # noqa: F401
        from iacguard.parsers import hcl_tables

        with contextlib.suppress(Exception):  # else each file reports it, as before
            hcl_tables.parser()


class _Reader:
    def __init__(self, parsing: Scheduler, config: Config) -> None:
        from iacguard.parsers import hcl_tables

        hcl_tables.keep_in(parsing.cache)  # before any worker starts, so that each has it
        self.parsing = parsing
        self.var_files = [Path(f) for f in config.var_files]
        self.modules: dict[Path, list[Path]] = {}  # directory → its files, to resolve
        self.unparsed: dict[Path, list[Path]] = {}  # those the pre-filter left out

    def ahead(self, files: list[Path], prefilter: set[Path] | None) -> list[tuple[Unit, Path]]:
        groups: dict[Path, list[Path]] = {}
        for path in files:
            groups.setdefault(path.parent, []).append(path)
        texts = {path: unit for path in files if (unit := self._unit(KIND, path))}
        if prefilter is not None:
            from iacguard import prefilter as prefilter_module

            unneeded = prefilter_module.unneeded(
                groups, {path: unit.text for path, unit in texts.items()}
            )
            self.unparsed = {
                d: f for d, f in groups.items() if d in unneeded and prefilter.isdisjoint(f)
            }
        self.modules = {d: f for d, f in groups.items() if d not in self.unparsed}
        return [(texts[p], p) for files in self.modules.values() for p in files if p in texts]

    def assemble(self) -> ParseResult:
        from iacguard.parsers import ParseResult

        result = ParseResult()
        if self.modules:
            from iacguard.parsers.terraform import parse_modules

            result = parse_modules(
                self.modules,
                self.var_files,
                parser=self._parsed,
                allowed=list(self.unparsed),
                max_bytes=self.parsing.max_bytes,
            )
        read = set(result.scanned)  # a module called from one that matters is read
        result.skipped.extend(
            file
            for files in self.unparsed.values()
            for file in map(display_path, files)
            if file not in read
        )
        return result

    def _unit(self, kind: str, path: Path) -> Unit | None:
        """None for a file that cannot be read: resolution reports why."""
        from iacguard.parsers.source import SourceError, read_text

        try:
            text = read_text(path, self.parsing.max_bytes)
        except SourceError:
            return None
        return self.parsing.unit(kind, path, text)

    def _parsed(self, path: Path, variables: bool) -> ParsedFile:
        """Resolution's parser: what was parsed ahead, else parsed now."""
        kind = "tfvars" if variables else KIND
        ahead: ParsedFile | None = self.parsing.ahead(kind, path)
        if ahead is not None:
            return ahead
        unit = self._unit(kind, path)
        if unit is None:
            from iacguard.parsers.terraform import parse_file

            return parse_file(path, variables, self.parsing.max_bytes)  # says why not
        parsed: ParsedFile = self.parsing.now(unit)
        return parsed
