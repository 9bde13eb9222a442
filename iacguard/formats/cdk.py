"""CDK cloud assemblies (``cdk.out``): a directory read whole through its manifest.

The walk hands this format an assembly's ``manifest.json`` instead of walking the
directory (``directory_file``): the templates the manifest names (stacks, stages, nested
stacks) are read, each once and as CloudFormation, with the parameter values a parent
stack passes its nested stacks; the rest of the assembly (the construct tree, Lambda
code, Docker contexts) is not IaC and is not read. An assembly is read even where
``.gitignore`` lists it (CDK projects ignore cdk.out, the only part of them iacguard
can read); ``exclude`` leaves out the templates it matches.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.formats.cloudformation import KIND as TEMPLATE_KIND
from iacguard.formats.cloudformation import CloudFormation
from iacguard.formats.parse_results import ParseResults
from iacguard.paths import display_path

if TYPE_CHECKING:
    from iacguard.config import Config
    from iacguard.errors import Error
    from iacguard.formats import Scheduler
    from iacguard.parsers import ParseResult
    from iacguard.runner import Unit


_TEMPLATES = CloudFormation()
NESTED_SUFFIX = ".nested.template.json"  # how CDK names a nested stack's template


class CloudAssembly(ParseResults):
    name = "cdk"
    title = "CDK cloud assembly"
    kinds: tuple[str, ...] = ()  # its templates are parsed as CloudFormation's units
    suffixes: tuple[str, ...] = ()  # never a file on its own: only through directory_file
    markers: tuple[bytes, ...] = ()
    directory_file: str | None = "manifest.json"

    def owns(self, directory: Path) -> bool:
        from iacguard.parsers.cdk_assembly import holds_assembly

        return holds_assembly(directory)

    def reader(self, parsing: Scheduler, config: Config) -> _Reader:
        return _Reader(parsing, config)

    # It parses no unit of its own (``kinds`` is empty): its templates' units are
    # CloudFormation's, as are their results (``ParseResults``).
    def parse(self, unit: Unit) -> ParseResult:
        return _TEMPLATES.parse(unit)


class _Reader:
    def __init__(self, parsing: Scheduler, config: Config) -> None:
        self.parsing = parsing
        self.config = config
        self.templates: list[Path] = []
        self.read: dict[Path, ParseResult] = {}  # finished when read: skipped or unreadable
        self.errors: list[Error] = []
        self.inputs: dict[str, set[str]] = {}  # a nested template → its parent's, for PR mode
        self.parameters: dict[Path, tuple[tuple[str, str], ...]] = {}  # each unit's values

    def ahead(self, files: list[Path], prefilter: set[Path] | None) -> list[tuple[Unit, Path]]:
        """Each manifest's templates, read as CloudFormation's are (a template without an
        IAM resource type is skipped unread)."""
        units: list[tuple[Unit, Path]] = []
        if not files:
            return units
        from iacguard.errors import internal
        from iacguard.parsers import cdk_assembly
        from iacguard.parsers.cloudformation import read_template

        seen: set[str] = set()  # each manifest and template once, across the assemblies
        for manifest in files:
            try:
                found = cdk_assembly.read(manifest.parent, seen)
            except Exception as exc:  # a bug costs this assembly, not the scan
                shown = display_path(manifest)
                self.errors.append(internal(shown, "while reading the cloud assembly", exc))
                continue
            self.errors.extend(found.errors)
            for child, parent in found.parents.items():
                self.inputs.setdefault(display_path(child), set()).add(display_path(parent))
            for path in found.templates:
                file = display_path(path)
                if self.config.excluded(file):
                    continue
                # a parent's values reach only a template CDK wrote as a nested stack's:
                # a made-up assembly in a pull request cannot give another template values
                # that its defaults would not
                nested = path.name.endswith(NESTED_SUFFIX)
                passed = found.passed.get(path, ()) if nested else ()
                self.templates.append(path)
                named = path in self.parsing.named
                text = read_template(path, file, self.parsing.max_bytes, named=named)
                if not isinstance(text, str):
                    self.read[path] = text
                    continue
                # those given on the command line win over those a parent passes
                parameters = passed + self.config.parameters
                self.parameters[path] = parameters
                units.append((self.parsing.unit(TEMPLATE_KIND, path, text, parameters), path))
        # its manifests too: the walk goes through an assembly's directory as any other
        # (its own files are not read again there; any other template is)
        self.parsing.claimed.update(seen)
        return units

    def assemble(self) -> ParseResult:
        from iacguard.parsers import ParseResult

        result = ParseResult()
        result.errors.extend(self.errors)
        for path in self.templates:
            if path in self.read:
                parsed: ParseResult = self.read.pop(path)
            else:
                parsed = self.parsing.ahead(TEMPLATE_KIND, path, self.parameters[path])
            result.add(parsed)
            for template in parsed.scanned:
                inputs = self.inputs.get(template, set()) | set(self.config.parameter_files)
                if inputs:  # its parameter values come from these files
                    result.model.inputs.setdefault(template, set()).update(inputs)
        return result
