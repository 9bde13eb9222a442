"""The engine: files → parsers → one model → checks → findings. Every face calls this."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard import prefilter as prefilter_module
from iacguard.cache import Cache, default_directory
from iacguard.checks import CHECKS
from iacguard.checks.base import Check, Context
from iacguard.checks.options import Settings
from iacguard.config import Config
from iacguard.discover import Discovery, discover
from iacguard.findings import Finding, Related, ScanResult, UnusedSuppression
from iacguard.model import Location, Model, ParseError, Unresolved
from iacguard.parsers import ParseResult
from iacguard.parsers.source import SourceError, nested_too_deeply, read_text
from iacguard.paths import display_path
from iacguard.profile import phase
from iacguard.runner import (
    DEFAULT_BUDGET,
    DEFAULT_TIMEOUT,
    Failure,
    Unit,
    available_cores,
    parse_limited,
    run,
)

if TYPE_CHECKING:
    from iacguard.baseline import Baseline
    from iacguard.parsers.terraform import ParsedFile
    from iacguard.profile import Profile
    from iacguard.progress import Progress


@dataclass(slots=True)
class ScanOptions:
    """How a scan runs; never what it finds."""

    jobs: int | None = None  # worker processes; None: the cores available
    cache: bool = True
    cache_directory: Path | None = None  # None: the user cache directory
    timeout: float = DEFAULT_TIMEOUT  # CPU seconds one file may take to parse
    budget: float = DEFAULT_BUDGET  # seconds all the parsing of the scan may take
    prefilter: bool = True  # off only to test that it changes no finding
    progress: Progress | None = None
    profile: Profile | None = None  # --profile: CPU time by phase


def scan(
    paths: list[str],
    config: Config,
    baseline: Baseline | None = None,
    options: ScanOptions | None = None,
) -> ScanResult:
    """Scan files and directories; bad input becomes error entries, never an exception."""
    options = options or ScanOptions()
    profile = options.profile
    with phase(profile, "discover"):
        found = discover(paths, config.excluded, gitignore=config.gitignore)
    result = ScanResult()
    result.errors.extend(ParseError(p, "no such file or directory") for p in found.missing)
    result.errors.extend(ParseError(u.file, u.why) for u in found.unreadable)
    result.not_read = found.not_read
    result.skipped.extend(n.file for n in found.not_read)
    parsing = _Parsing(options, config.max_file_bytes, config.parameters)
    parsing.named = {Path(p) for p in paths}
    named = {Path(p) for p in paths} if options.prefilter else None
    terraform, unparsed = parsing.ahead(found, prefilter=named)
    model = Model()
    with phase(profile, "resolve"):
        for path in found.cloudformation:
            parsed = parsing.cloudformation(path)
            model.extend(parsed.model)
            result.errors.extend(parsed.errors)
            result.scanned.extend(parsed.scanned)
            result.skipped.extend(parsed.skipped)
            for template in parsed.scanned if config.parameter_files else ():
                # its parameter values come from these files
                model.inputs.setdefault(template, set()).update(config.parameter_files)
        if terraform:
            parsed = _parse_terraform(terraform, config, parsing, list(unparsed))
            model.extend(parsed.model)
            result.errors.extend(parsed.errors)
            result.scanned.extend(parsed.scanned)
    if unparsed:
        read = set(result.scanned)  # a module called from one that matters is read
        result.skipped.extend(
            file
            for files in unparsed.values()
            for file in map(display_path, files)
            if file not in read
        )
    if options.progress is not None:
        options.progress.close()
    with phase(profile, "check"):
        checked = check(model, config, baseline, scanned=result.scanned)
    result.findings = checked.findings
    result.unused_suppressions = checked.unused_suppressions
    result.errors.extend(checked.errors)
    result.unresolved = list(dict.fromkeys(model.unresolved + checked.unresolved))  # each once
    result.resources = model.resources
    result.inputs = model.inputs
    return result


class _Parsing:
    """Every file parsed once, before the results are put together: from the cache when
    an identical file was parsed before, else in worker processes when there is enough
    to do. Terraform files that resolution asks for and that were not parsed ahead (local
    modules outside the scanned paths, variables files) are parsed on demand."""

    def __init__(
        self, options: ScanOptions, max_bytes: int, parameters: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.max_bytes = max_bytes
        self.parameters = parameters  # for CloudFormation templates
        self.cache = Cache(options.cache_directory or default_directory())
        if not options.cache:
            self.cache = Cache.disabled()
        from iacguard.parsers import hcl_tables

        hcl_tables.keep_in(self.cache)
        self.jobs = options.jobs or available_cores()
        self.timeout = options.timeout
        self.budget = options.budget
        self.progress = options.progress
        self.profile = options.profile
        self.results: dict[tuple[str, Path], Any] = {}
        self.named: set[Path] = set()  # files named on the command line: always read

    def ahead(
        self, found: Discovery, *, prefilter: set[Path] | None
    ) -> tuple[dict[Path, list[Path]], dict[Path, list[Path]]]:
        """Parse what the scan needs; the Terraform module directories to resolve, and
        those the pre-filter left out. ``prefilter``: the paths the scan was given (a
        directory with a file named there is always read), or None for no pre-filter."""
        with phase(self.profile, "read"):
            terraform, unparsed, units = self._read(found, prefilter)
        self._parse([unit for unit, _ in units], [path for _, path in units])
        return terraform, unparsed

    def _read(
        self, found: Discovery, prefilter: set[Path] | None
    ) -> tuple[dict[Path, list[Path]], dict[Path, list[Path]], list[tuple[Unit, Path]]]:
        units: list[tuple[Unit, Path]] = []
        for path in found.cloudformation:
            unit = self._unit("cloudformation", path)
            if isinstance(unit, Unit):
                units.append((unit, path))
            else:
                self.results["cloudformation", path] = unit
        texts: dict[Path, Unit] = {}
        for files in found.terraform.values():
            for path in files:
                unit = self._unit("terraform", path)
                if isinstance(unit, Unit):
                    texts[path] = unit
        unparsed: dict[Path, list[Path]] = {}
        if prefilter is not None:
            unneeded = prefilter_module.unneeded(
                found.terraform, {path: unit.text for path, unit in texts.items()}
            )
            unparsed = {
                d: f
                for d, f in found.terraform.items()
                if d in unneeded and prefilter.isdisjoint(f)
            }
        terraform = {d: f for d, f in found.terraform.items() if d not in unparsed}
        units.extend((texts[p], p) for files in terraform.values() for p in files if p in texts)
        return terraform, unparsed, units

    def _unit(self, kind: str, path: Path) -> Unit | ParseResult | None:
        """The unit that parses a file; for a template that cannot be read or holds no
        IAM resource, its result at once; None for a Terraform file that cannot be read
        (resolution reports it)."""
        file = display_path(path)
        if kind == "cloudformation":
            from iacguard.parsers.cloudformation import read_template

            template = read_template(path, file, self.max_bytes, named=path in self.named)
            if isinstance(template, ParseResult):
                return template
            from iacguard.parsers import terraform_plan

            if terraform_plan.is_plan(template):  # read here: it reads the .tf files beside it
                return terraform_plan.parse_plan(path, file, template)
            text = template
        else:
            try:
                text = read_text(path, self.max_bytes)
            except SourceError:
                return None
        parameters = self.parameters if kind == "cloudformation" else ()
        key = Cache.key(kind, file, text, parameters) if self.cache.enabled else ""
        return Unit(kind, file, text, key, parameters)

    def _parse(self, units: list[Unit], paths: list[Path]) -> None:
        if self.progress is not None:
            self.progress.add(len(units))
        missed: list[int] = []
        with phase(self.profile, "cache"):
            for index, unit in enumerate(units):
                cached = self._cached(unit)
                if cached is None:
                    missed.append(index)
                else:
                    self.results[unit.kind, paths[index]] = cached
        if self.progress is not None:
            self.progress.advance(len(units) - len(missed))
        # profiled, each format is parsed on its own (workers, budget), to be timed alone
        batches = {"": missed}
        if self.profile is not None:
            batches = {}
            for index in missed:
                batches.setdefault(units[index].kind, []).append(index)
        for kind, batch in batches.items():
            with phase(self.profile, f"parse {kind}"):
                parsed = run(
                    [units[i] for i in batch],
                    parse_unit,
                    jobs=self.jobs,
                    timeout=self.timeout,
                    cache=self.cache,
                    advance=self.progress.advance if self.progress is not None else None,
                    budget=self.budget,
                )
            for index, outcome in zip(batch, parsed, strict=True):
                self.results[units[index].kind, paths[index]] = _result(units[index], outcome)

    def _cached(self, unit: Unit) -> Any:
        cached = self.cache.get(unit.key) if unit.key else None
        if cached is None:
            return None
        if unit.kind == "cloudformation":
            return cached if isinstance(cached, ParseResult) else None
        from iacguard.parsers.terraform import ParsedFile

        return cached if isinstance(cached, ParsedFile) else None

    def cloudformation(self, path: Path) -> ParseResult:
        result: ParseResult = self.results.pop(("cloudformation", path))
        return result

    def terraform(self, path: Path, variables: bool) -> ParsedFile:
        """The Terraform loader's parser: what was parsed ahead, else parsed now."""
        kind = "tfvars" if variables else "terraform"
        ahead: ParsedFile | None = self.results.pop((kind, path), None)
        if ahead is not None:
            return ahead
        from iacguard.parsers.terraform import parse_file

        unit = self._unit(kind, path)
        if not isinstance(unit, Unit):
            return parse_file(path, variables, self.max_bytes)  # reports why it cannot be read
        parsed: ParsedFile | None = self._cached(unit)
        if parsed is None:
            parsed = _result(unit, parse_limited(unit, parse_unit, self.timeout, self.cache))
        return parsed


def parse_unit(unit: Unit) -> ParseResult | ParsedFile:
    """Parse one file's text; run in worker processes, so it catches what a parser
    raises: one bad file must not stop the scan."""
    if unit.kind == "cloudformation":
        from iacguard.parsers import cloudformation

        try:
            return cloudformation.parse_text(unit.text, unit.file, dict(unit.parameters))
        except RecursionError:
            return _failed(unit.file, nested_too_deeply())
        except Exception as exc:
            return _failed(unit.file, f"internal error while parsing: {type(exc).__name__}: {exc}")
    from iacguard.parsers import terraform

    try:
        return terraform.parse_text(unit.text, unit.file, variables=unit.kind == "tfvars")
    except Exception as exc:
        message = f"internal error while parsing: {type(exc).__name__}: {exc}"
        return terraform.ParsedFile(errors=[ParseError(unit.file, message)])


def _result(unit: Unit, outcome: Any) -> Any:
    """A unit's result; a Failure (time limit, lost worker) as an error of its file."""
    if not isinstance(outcome, Failure):
        return outcome
    if unit.kind == "cloudformation":
        return _failed(unit.file, outcome.message)
    from iacguard.parsers.terraform import ParsedFile

    return ParsedFile(errors=[ParseError(unit.file, outcome.message)])


def _parse_terraform(
    modules: dict[Path, list[Path]], config: Config, parsing: _Parsing, unparsed: list[Path]
) -> ParseResult:
    from iacguard.parsers import terraform

    try:
        return terraform.parse_modules(
            modules,
            [Path(f) for f in config.var_files],
            parser=parsing.terraform,
            allowed=unparsed,
            max_bytes=config.max_file_bytes,
        )
    except Exception as exc:  # a bug must not lose the CloudFormation results
        first = next(iter(modules))
        return _failed(
            display_path(first),
            f"internal error while parsing Terraform: {type(exc).__name__}: {exc}",
        )


def _failed(file: str, message: str, line: int | None = None) -> ParseResult:
    result = ParseResult()
    result.errors.append(ParseError(file, message, line))
    return result


@dataclass(slots=True)
class Checked:
    findings: list[Finding]
    unresolved: list[Unresolved]
    errors: list[ParseError]
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)


def check(
    model: Model,
    config: Config,
    baseline: Baseline | None = None,
    *,
    scanned: Collection[str] = (),
) -> Checked:
    """The end of every scan, in every face: the enabled checks over the model, then the
    suppressions (comments and Metadata in the model, the config's, the baseline's for
    the ``scanned`` files)."""
    from iacguard import suppress

    checks = tuple(c for c in CHECKS if config.runs(c.id))
    checked = check_model(model, config.settings(), checks)
    checked.unused_suppressions = suppress.apply(
        checked.findings, model.directives, model.blocks, config, baseline, scanned=scanned
    )
    return checked


def check_model(
    model: Model, settings: Settings | None = None, checks: tuple[type[Check], ...] = CHECKS
) -> Checked:
    """Run every check over the model. A check that fails on one object becomes an
    error entry for that object's file; the other checks and objects go on."""
    ctx = Context(settings or Settings())
    errors: list[ParseError] = []
    for check_class in checks:
        check = check_class()
        ctx.check = check
        hooks = check_class.hooks()
        if "statement" in hooks:
            for policy in model.policies:
                for statement in policy.statements:
                    _call(
                        errors, check, statement.location, check.statement, statement, policy, ctx
                    )
        if "policy" in hooks:
            for policy in model.policies:
                _call(errors, check, policy.location, check.policy, policy, ctx)
        if "principal" in hooks:
            for principal in model.principals:
                _call(errors, check, principal.location, check.principal, principal, ctx)
        if "attachment" in hooks:
            for attachment in model.attachments:
                _call(errors, check, attachment.location, check.attachment, attachment, ctx)
        if "model" in hooks:
            _call(errors, check, None, check.model, model, ctx)
    _declared_elsewhere(ctx.findings, model)
    ctx.findings.sort(key=Finding.sort_key)
    return Checked(ctx.findings, ctx.unresolved, errors)


def _declared_elsewhere(findings: list[Finding], model: Model) -> None:
    """A finding found in another file than its resource (a value a module's caller
    passed in, a policy file read by ``file()``) relates to where the resource is; one
    in a module's file, to the module blocks that call it."""
    from iacguard.suppress import declared_at

    blocks = declared_at(model.blocks)
    # Innermost first: the module block that calls the module the finding is in.
    calls = sorted(model.module_calls.items(), key=lambda call: -len(call[0]))
    for finding in findings:
        declared = blocks.get(finding.resource)
        if declared is not None and declared.file != finding.location.file:
            related = Related(declared, f"{finding.resource} is declared here")
            finding.related = (*finding.related, related)
        finding.related += tuple(
            Related(location, f"{address} is called here")
            for address, location in calls
            if finding.resource.startswith(address + ".") and location.file != finding.location.file
        )


def _call(errors: list[ParseError], check: Check, where: Location | None, hook, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        hook(*args)
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
        if where is None:
            errors.append(ParseError("<scan>", f"internal error in {check.id}: {problem}"))
        else:
            at = f"{where.file}:{where.line}"
            message = f"internal error in {check.id} at {at}: {problem}"
            errors.append(ParseError(where.file, message, where.line))
