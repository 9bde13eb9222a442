"""Terraform plans as ``terraform show -json PLANFILE`` writes them: each plan on its own.

A plan is a ``.json`` file recognised by its first keys (Terraform writes
``{"format_version":…,"terraform_version":…`` first, before any value that could be
large). Its parse reads the configuration's ``.tf`` files beside it to point findings
at them, so it is not pure in the plan's bytes: it is parsed in the main process,
where the scan records every file it reads (``iacguard.observed``), and never cached
by the plan's text alone. A replayed scan still notices an edited ``.tf`` file; the
cost is the plan's parse on every scan that is not replayed (0.7 s for 13.5 MB).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.formats.parse_results import ParseResults
from iacguard.paths import display_path

if TYPE_CHECKING:
    from iacguard.config import Config
    from iacguard.formats import Scheduler
    from iacguard.parsers import ParseResult
    from iacguard.runner import Unit

KIND = "terraform-plan"  # its units' kind and the profile's name for it


class TerraformPlan(ParseResults):
    name = KIND
    title = "Terraform plan"
    kinds: tuple[str, ...] = (KIND,)
    suffixes: tuple[str, ...] = (".json",)
    # keys, with their colon: a template that mentions "format_version" in a string is not a plan
    markers: tuple[bytes, ...] = (b'"format_version":', b'"terraform_version":')

    def reader(self, parsing: Scheduler, config: Config) -> _Reader:
        return _Reader(parsing)

    def parse(self, unit: Unit) -> ParseResult:
        """In the main process only (``_Reader`` parses its units there, uncached)."""
        from iacguard.parsers.terraform_plan import parse_plan

        return parse_plan(Path(unit.file), unit.file, unit.text)


class _Reader:
    def __init__(self, parsing: Scheduler) -> None:
        self.parsing = parsing
        self.files: list[Path] = []

    def ahead(self, files: list[Path], prefilter: set[Path] | None) -> list[tuple[Unit, Path]]:
        # nothing for the workers: a plan is parsed in the main process (see above), and
        # every plan is parsed, as its pre-filter would cost what its parse does
        self.files = files
        return []

    def assemble(self) -> ParseResult:
        from iacguard.parsers import ParseResult
        from iacguard.runner import Unit

        result = ParseResult()
        for path in self.files:
            read = _read(path, self.parsing.max_bytes, named=path in self.parsing.named)
            if isinstance(read, str):
                # without a key: not cached (its result depends on the .tf files too)
                read = self.parsing.now(Unit(KIND, display_path(path), read, ""))
            result.add(read)
        return result


def _read(path: Path, max_bytes: int, *, named: bool) -> str | ParseResult:
    """A plan's text, or its finished result: an error when it cannot be read; one too
    large is skipped quietly when it holds no IAM resource type and was not named."""
    from iacguard.errors import Error
    from iacguard.parsers import ParseResult
    from iacguard.parsers.source import SourceError, TooLarge, contains, decode_text, read_bytes
    from iacguard.parsers.terraform_iam_resources import IAM_TYPES

    file = display_path(path)
    result = ParseResult()
    try:
        return decode_text(read_bytes(path, max_bytes))
    except TooLarge as exc:
        if named or contains(path, tuple(f'"{kind}"'.encode() for kind in IAM_TYPES)):
            result.errors.append(Error(exc.kind, exc.message, file))
        else:
            result.skipped.append(file)
    except SourceError as exc:
        result.errors.append(Error(exc.kind, exc.message, file, exc.line))
    return result
