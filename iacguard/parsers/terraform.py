"""Terraform configurations (``.tf``, ``.tf.json``) → the IAM model.

Each directory is one module: all its files together. A directory that another scanned
directory calls as a local module (``source = "./…"``) is read as part of its caller,
with the caller's inputs and addresses ``module.NAME.TYPE.NAME``, not as a root of its
own. Remote modules are never fetched: after ``terraform init`` each is read from the
directory ``.terraform/modules/modules.json`` records for it, like a local module;
without that file they are listed as unresolved. Every file is parsed once per scan,
whatever number of modules use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from iacguard import observed
from iacguard.errors import Error, internal
from iacguard.model import (
    Directive,
    Location,
    Model,
    Unknown,
)
from iacguard.parsers import ParseResult
from iacguard.parsers.comments import comment_directives
from iacguard.parsers.hcl import SyntaxProblem, parse_hcl, parse_template
from iacguard.parsers.source import (
    DEFAULT_MAX_FILE_BYTES,
    SourceError,
    nested_too_deeply,
    read_text,
)
from iacguard.parsers.terraform_iam import IamReader
from iacguard.parsers.terraform_iam_resources import COMPUTED
from iacguard.parsers.terraform_tree import TreeBuilder, local_source
from iacguard.parsers.tf_json import parse_tf_json, parse_tfvars_json
from iacguard.paths import display_path, skipped
from iacguard.records import dataclass, field, replace
from iacguard.resolve.hcl import Attribute, Expr, FileSyntax, Module
from iacguard.resolve.node import Problem
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_scope import Instance
from iacguard.resolve.terraform_values import TfValue
from iacguard.text_map import TextMap

SUFFIXES = (".tf", ".tf.json")


def parse_modules(
    groups: dict[Path, list[Path]],
    var_files: Sequence[Path] = (),
    *,
    parser: FileParser | None = None,
    allowed: Sequence[Path] = (),
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> ParseResult:
    """Parse the Terraform modules of a scan: directory → its files as discovered.
    ``var_files`` (``--var-file``) apply to every root module, after its own .tfvars.
    ``parser`` parses one file (default ``parse_file``; the engine's serves results
    parsed ahead, in worker processes or from the cache); ``allowed`` are more scanned
    directories that ``file()`` may read from; files over ``max_bytes`` are not read."""

    def read_and_parse(path: Path, variables: bool) -> ParsedFile:
        return parse_file(path, variables, max_bytes)

    loader = Loader(
        allowed=[Path.cwd(), *groups, *allowed],
        parser=parser or read_and_parse,
        max_bytes=max_bytes,
    )
    result = loader.result
    cli_values: dict[str, Attribute] = {}
    for path in var_files:
        cli_values.update(loader.variables_file(path))
    cli_files = set(loader.inputs)
    for directory, files in groups.items():
        loader.module(directory, files)  # in the order discovered, so errors come in that order
    roots = _roots(groups, loader.calls(groups))
    for directory, files in roots.items():
        loader.inputs, loader.module_files = set(cli_files), set()
        try:
            _read_root(loader, directory, files, cli_values)
        except Exception as exc:  # a bug in one root module must not lose the others
            where = display_path(files[0]) if files else display_path(directory)
            error = internal(where, "while reading the module", exc)
            concerns = tuple(sorted(loader.module_files | loader.inputs))
            result.errors.append(replace(error, concerns=concerns))
    return result


def _read_root(
    loader: Loader, directory: Path, files: list[Path], cli_values: dict[str, Attribute]
) -> None:
    evaluator = Evaluator(loader, COMPUTED)  # its caches hold one root's instances
    module = loader.module(directory, files)
    values = {**loader.tfvars(directory), **cli_values}
    root = Instance(module, directory, values=values)
    builder = TreeBuilder(loader, evaluator, loader.result, display_path(directory))
    builder.children(root, depth=0)
    IamReader(evaluator, loader.result, builder.scope).read(builder.resources(root))
    loader.result.errors.extend(e for e in evaluator.errors if e not in loader.result.errors)
    _record_inputs(loader.result.model, root, frozenset(loader.inputs))
    if evaluator.stopped is not None:  # values past that point are unknown: say so loudly
        instance, why = evaluator.stopped
        if instance.caller is not None:  # at the module call that was being read
            loc = instance.caller[0].location
            where, line = loc.file, loc.line
        else:
            where, line = (display_path(files[0]) if files else display_path(directory)), None
        message = f"{why} in this module; the values it did not reach are unknown"
        concerns = tuple(sorted(loader.module_files | loader.inputs))
        loader.result.errors.append(Error("limit", message, where, line, concerns=concerns))


def _record_inputs(model: Model, instance: Instance, inherited: frozenset[str]) -> None:
    """Which files the values in each file of ``instance`` may be read from: the
    variables files and ``file()`` targets of the root, and every caller on the way."""
    for file in instance.module.files:
        inputs = inherited - {file}
        if inputs:
            model.inputs.setdefault(file, set()).update(inputs)
    for child in instance.children.values():
        if isinstance(child, Instance) and child.caller is not None:
            _record_inputs(model, child, inherited | {child.caller[0].location.file})


def _roots(groups: dict[Path, list[Path]], calls: dict[Path, set[Path]]) -> dict[Path, list[Path]]:
    """The scanned directories that no other scanned module calls: a called directory is
    read as part of its caller. Directories reachable only through a cycle of calls
    (invalid Terraform) are read on their own rather than not at all."""
    called = {t for caller, targets in calls.items() for t in targets if t != caller}
    roots = {d: f for d, f in groups.items() if d.resolve() not in called}
    reached: set[Path] = set()
    pending = [d.resolve() for d in roots]
    while pending:
        directory = pending.pop()
        if directory not in reached:
            reached.add(directory)
            pending.extend(calls.get(directory, ()))
    for directory, files in groups.items():
        if directory.resolve() not in reached:
            roots[directory] = files
            reached.add(directory.resolve())
    return roots


@dataclass(slots=True)
class ParsedFile:
    """One file parsed on its own, before resolution joins it with the others. It holds
    no reference to anything else, so it can come from a worker process or the cache."""

    syntax: FileSyntax | None = None
    errors: list[Error] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)


FileParser = Callable[[Path, bool], ParsedFile]


def parse_file(
    path: Path, variables: bool = False, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> ParsedFile:
    """Read and parse one file; ``variables``: a ``.tfvars`` file."""
    file = display_path(path)
    try:
        text = read_text(path, max_bytes)
    except SourceError as exc:
        return ParsedFile(errors=[Error(exc.kind, exc.message, file, exc.line)])
    return parse_text(text, file, variables=variables)


def parse_text(text: str, file: str, *, variables: bool = False) -> ParsedFile:
    """Parse a file's text (as ``read_text`` returns it); ``file`` is its name."""
    parsed = ParsedFile()
    try:
        if file.endswith(".json"):
            parsed.syntax = (parse_tfvars_json if variables else parse_tf_json)(text, file)
        else:
            parsed.syntax = parse_hcl(text, file)
            parsed.directives = comment_directives(text, file, ("#", "//", "/*"))
    except SyntaxProblem as exc:
        parsed.errors.append(Error(exc.kind, exc.message, file, exc.line, exc.column))
    except RecursionError:
        parsed.errors.append(Error("limit", nested_too_deeply(), file))
    except Exception as exc:  # a bug on one file must not lose the others
        parsed.errors.append(internal(file, "while parsing", exc))
    if parsed.syntax is not None:
        for found in [*parsed.syntax.problems, *_label_problems(parsed.syntax)]:
            loc = found.location
            parsed.errors.append(Error("value", found.message, file, loc.line, loc.column))
    return parsed


@dataclass
class Loader:
    """Reads and parses files once, and is the evaluator's window on the file system."""

    allowed: list[Path]
    parser: FileParser = parse_file
    max_bytes: int = DEFAULT_MAX_FILE_BYTES  # for file() and templatefile()
    result: ParseResult = field(default_factory=ParseResult)
    files: dict[Path, FileSyntax | None] = field(default_factory=dict)
    modules: dict[tuple[Path, tuple[Path, ...]], Module] = field(default_factory=dict)
    texts: dict[Path, tuple[str, TextMap]] = field(default_factory=dict)
    # For the root module being read: the variables files and file() targets its values
    # are read from, and the files of its modules.
    inputs: set[str] = field(default_factory=set)
    module_files: set[str] = field(default_factory=set)
    # Module directories under .terraform/modules that modules.json names: read although
    # discovery skips .terraform.
    installed: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.allowed = [p.resolve() for p in self.allowed]
        self._allowed = frozenset(self.allowed)
        self._resolved: dict[Path, Path] = {}

    def resolved(self, path: Path) -> Path:
        """``path.resolve()``, asked of the file system once a scan: a module's files and
        directory are resolved each time the module is met."""
        known = self._resolved.get(path)
        if known is None:
            known = self._resolved[path] = path.resolve()
        return known

    def _bases(self, resolved: Path) -> list[Path]:
        """The scanned directories ``resolved`` (absolute, links resolved) is in: its
        ancestors looked up, as a scan has as many directories as modules."""
        return [p for p in (resolved, *resolved.parents) if p in self._allowed]

    def parse(self, path: Path, *, variables: bool = False) -> FileSyntax | None:
        key = self.resolved(path)
        if key in self.files:
            return self.files[key]
        parsed = self.parser(path, variables)
        self.result.errors.extend(parsed.errors)
        self.result.model.directives.extend(parsed.directives)
        if parsed.syntax is not None and not variables:
            self.result.scanned.append(display_path(path))
        self.files[key] = parsed.syntax
        return parsed.syntax

    def inside(self, path: Path) -> bool:
        """Whether ``path`` (links resolved) is in the scanned directories or the current
        one: nothing else is read, so a link cannot bring in a file from elsewhere."""
        resolved = Path(os.path.realpath(path))  # resolve() raises on a link loop
        return bool(self._bases(resolved))

    def module(self, directory: Path, files: list[Path] | None = None) -> Module:
        if files is None:
            if not self.inside(directory):
                return Module(directory)
            files = sorted(
                p for p in _listing(directory) if p.name.endswith(SUFFIXES) and self.inside(p)
            )
        key = (self.resolved(directory), tuple(sorted(map(self.resolved, files))))
        if key not in self.modules:
            module = Module(directory)
            for path in files:
                syntax = self.parse(path)
                if syntax is not None:
                    module.add(syntax)
            self.modules[key] = module
        self.module_files.update(self.modules[key].files)
        return self.modules[key]

    def tfvars(self, directory: Path) -> dict[str, Attribute]:
        """``terraform.tfvars``, ``terraform.tfvars.json``, then ``*.auto.tfvars`` in
        lexical order: later files win, as in Terraform."""
        names = ["terraform.tfvars", "terraform.tfvars.json"]
        automatic = sorted(
            p.name
            for p in _listing(directory)
            if p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
        )
        values: dict[str, Attribute] = {}
        for name in names + automatic:
            path = directory / name
            if observed.is_file(path) and self.inside(path):
                values.update(self.variables_file(path))
        return values

    def variables_file(self, path: Path) -> dict[str, Attribute]:
        if not observed.is_file(path):
            self.result.errors.append(Error("parse", "no such variables file", display_path(path)))
            return {}
        syntax = self.parse(path, variables=True)
        self.inputs.add(display_path(path))
        return dict(syntax.attributes) if syntax else {}

    def calls(self, groups: dict[Path, list[Path]]) -> dict[Path, set[Path]]:
        """Which directories each scanned module calls as a local module, transitively
        (resolved paths)."""
        calls: dict[Path, set[Path]] = {}
        pending = list(groups)
        while pending:
            directory = pending.pop()
            if self.resolved(directory) in calls:
                continue
            targets = calls.setdefault(self.resolved(directory), set())
            for call in self.module(directory, groups.get(directory)).calls.values():
                target = local_source(call, directory)
                if target is not None and observed.is_dir(target):
                    targets.add(self.resolved(target))
                    pending.append(target)
        return calls

    # -- the evaluator's Sources ------------------------------------------------------

    def read(self, path: Path) -> tuple[str, TextMap]:
        """A file for ``file()``/``templatefile()``: inside the scanned directories, and
        not where discovery never looks (``.git/config`` holds a checkout's token)."""
        resolved = Path(os.path.realpath(path))
        bases = self._bases(resolved)
        if not bases:
            raise OSError(f"{path.as_posix()} is outside the scanned directories; not read")
        downloaded = any(resolved.is_relative_to(d) for d in self.installed)
        if not downloaded and all(skipped(resolved.relative_to(base)) for base in bases):
            raise OSError(f"{path.as_posix()} is in a hidden or skipped directory; not read")
        if resolved not in self.texts:
            try:
                text = read_text(path, self.max_bytes)
            except SourceError as exc:
                raise OSError(f"{display_path(path)}: {exc.message}") from None
            file = display_path(Path(os.path.normpath(path)))
            self.texts[resolved] = (text, TextMap.of_text(file, text))
        self.inputs.add(self.texts[resolved][1].anchors[0].location.file)
        return self.texts[resolved]

    def template(self, text: str, text_map: TextMap, location: Location) -> Expr:
        return parse_template(text, text_map, location)

    def json(self, text: str, text_map: TextMap, holes: tuple[Unknown, ...]) -> TfValue:
        from iacguard.parsers.located_json import JsonProblem, decode

        try:
            return decode(text, text_map, holes, unique_keys=True)
        except JsonProblem as problem:
            raise ValueError(problem.message) from None


_LABELS = {
    "resource": ("a type and a name", 'resource "TYPE" "NAME"'),
    "data": ("a type and a name", 'data "TYPE" "NAME"'),
    "module": ("a name", 'module "NAME"'),
    "variable": ("a name", 'variable "NAME"'),
    "output": ("a name", 'output "NAME"'),
    "locals": ("no labels", "locals"),
}


def _label_problems(syntax: FileSyntax) -> list[Problem]:
    """Top-level blocks with the wrong number of labels (``resource "aws_iam_user" {``):
    Terraform refuses them, and a block that cannot be named cannot be read."""
    found = []
    for block in syntax.blocks:
        if block.type not in _LABELS:
            continue
        needed, form = _LABELS[block.type]
        count = {"a type and a name": 2, "a name": 1, "no labels": 0}[needed]
        if len(block.labels) != count:
            message = f"a {block.type} block needs {needed}: {form} {{ … }}"
            found.append(Problem(message, block.location))
    return found


def _listing(directory: Path) -> list[Path]:
    """The files in ``directory``; none when it cannot be listed."""
    observed.listed(directory)
    try:
        return [p for p in directory.iterdir() if p.is_file()]
    except OSError:
        return []
