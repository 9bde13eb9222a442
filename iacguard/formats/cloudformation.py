"""CloudFormation and SAM templates: each template on its own.

Any YAML or JSON file is a candidate; the parser tells a template from the rest by its
content (a Kubernetes manifest, a package.json… is skipped). Its pre-filter is on the
bytes: a file without an IAM resource type is skipped unread, unless it was named.
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

KIND = "cloudformation"  # its units' kind, the cache keys' and the profile's name for it


class CloudFormation(ParseResults):
    name = KIND
    title = "CloudFormation"
    kinds: tuple[str, ...] = (KIND,)
    suffixes: tuple[str, ...] = (".yaml", ".yml", ".json", ".template")
    markers: tuple[bytes, ...] = ()

    def reader(self, parsing: Scheduler, config: Config) -> _Reader:
        return _Reader(parsing, config)

    def parse(self, unit: Unit) -> ParseResult:
        from iacguard.parsers.cloudformation import parse_text

        return parse_text(unit.text, unit.file, dict(unit.parameters))


class _Reader:
    def __init__(self, parsing: Scheduler, config: Config) -> None:
        self.parsing = parsing
        self.parameters = config.parameters
        self.parameter_files = config.parameter_files
        self.files: list[Path] = []
        self.read: dict[Path, ParseResult] = {}  # finished when read: skipped or unreadable

    def ahead(self, files: list[Path], prefilter: set[Path] | None) -> list[tuple[Unit, Path]]:
        # Whatever ``prefilter`` says, a file without an IAM resource type is skipped
        # unread: most YAML and JSON is not CloudFormation, and skipping it loses nothing.
        units: list[tuple[Unit, Path]] = []
        if not files:
            return units
        claimed = self.parsing.claimed
        if claimed:  # by a cloud assembly's reader
            import os

            files = [path for path in files if os.path.realpath(path) not in claimed]
        self.files = files
        from iacguard.parsers.cloudformation import read_template

        for path in files:
            named = path in self.parsing.named
            template = read_template(path, display_path(path), self.parsing.max_bytes, named=named)
            if isinstance(template, str):
                units.append((self.parsing.unit(KIND, path, template, self.parameters), path))
            else:
                self.read[path] = template
        return units

    def assemble(self) -> ParseResult:
        from iacguard.parsers import ParseResult

        result = ParseResult()
        for path in self.files:
            if path in self.read:
                parsed: ParseResult = self.read.pop(path)
            else:
                parsed = self.parsing.ahead(KIND, path, self.parameters)
            result.add(parsed)
            for template in parsed.scanned if self.parameter_files else ():
                # its parameter values come from these files
                result.model.inputs.setdefault(template, set()).update(self.parameter_files)
        return result
