"""The engine: files → parsers → one model → checks → findings. Every face calls this."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from iacguard import collector
from iacguard.checks import CHECKS
from iacguard.checks.base import Check, Context
from iacguard.checks.options import Settings
from iacguard.config import Config
from iacguard.discover import discover
from iacguard.errors import Error, internal
from iacguard.findings import Finding, Related, ScanResult, UnusedSuppression
from iacguard.formats import FORMATS
from iacguard.model import Location, Model, Unresolved
from iacguard.parsing import ScanOptions, Scheduler
from iacguard.paths import display_path
from iacguard.profile import phase
from iacguard.records import dataclass, field

if TYPE_CHECKING:
    from iacguard.baseline import Baseline


def scan(
    paths: list[str],
    config: Config,
    baseline: Baseline | None = None,
    options: ScanOptions | None = None,
) -> ScanResult:
    """Scan files and directories; bad input becomes error entries, never an exception."""
    with collector.paused():
        return _scan(paths, config, baseline, options or ScanOptions())


def _scan(
    paths: list[str], config: Config, baseline: Baseline | None, options: ScanOptions
) -> ScanResult:
    profile = options.profile
    found = options.discovery
    if found is None:
        with phase(profile, "discover"):
            found = discover(paths, config.excluded, gitignore=config.gitignore)
    result = ScanResult()
    result.errors.extend(Error("parse", "no such file or directory", p) for p in found.missing)
    result.errors.extend(Error("parse", u.why, u.file) for u in found.unreadable)
    result.not_read = found.not_read
    result.skipped.extend(n.file for n in found.not_read)
    parsing = Scheduler(options, config.max_file_bytes, {Path(p) for p in paths})
    readers = [(f, f.reader(parsing, config), found.files.get(f.name, [])) for f in FORMATS]
    prefilter = parsing.named if options.prefilter else None
    with phase(profile, "read"):
        units = [unit for _, reader, files in readers for unit in reader.ahead(files, prefilter)]
    parsing.parse(units)
    model = Model()
    with phase(profile, "resolve"):
        for form, reader, files in readers:
            try:
                parsed = reader.assemble()
            except Exception as exc:  # a bug in one format must not lose the others' results
                where = display_path(files[0]) if files else None
                result.errors.append(internal(where, f"while parsing {form.title}", exc))
                continue
            model.extend(parsed.model)
            result.errors.extend(parsed.errors)
            result.scanned.extend(parsed.scanned)
            result.skipped.extend(parsed.skipped)
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


@dataclass(slots=True)
class Checked:
    findings: list[Finding]
    unresolved: list[Unresolved]
    errors: list[Error]
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
    errors: list[Error] = []
    for check_class in checks:
        check = check_class()
        ctx.check = check
        hooks = check_class.hooks()
        if "statement" in hooks:
            for policy in model.policies:
                ctx.scope = policy.scope
                for statement in policy.statements:
                    _call(
                        errors, check, statement.location, check.statement, statement, policy, ctx
                    )
        if "policy" in hooks:
            for policy in model.policies:
                ctx.scope = policy.scope
                _call(errors, check, policy.location, check.policy, policy, ctx)
        if "principal" in hooks:
            for principal in model.principals:
                ctx.scope = principal.scope
                _call(errors, check, principal.location, check.principal, principal, ctx)
        if "attachment" in hooks:
            for attachment in model.attachments:
                ctx.scope = attachment.principal.scope
                _call(errors, check, attachment.location, check.attachment, attachment, ctx)
        if "model" in hooks:
            ctx.scope = ""
            _call(errors, check, None, check.model, model, ctx)
    _declared_elsewhere(ctx.findings, model)
    ctx.findings[:] = _once(ctx.findings)
    _construct_paths(ctx.findings, model)
    ctx.findings.sort(key=Finding.sort_key)
    return Checked(ctx.findings, ctx.unresolved, errors)


def _once(findings: list[Finding]) -> list[Finding]:
    """Each finding once: a plan and the ``.tf`` files it was made from, scanned together,
    are both checked (either may be what a pull request changed), and where they agree
    they find the same thing at the same place."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for f in findings:
        key = (f.fingerprint, f.location, f.message, f.severity, f.related)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


def _declared_elsewhere(findings: list[Finding], model: Model) -> None:
    """A finding found in another file than its resource (a value a module's caller
    passed in, a policy file read by ``file()``) relates to where the resource is; one
    in a module's file, to the module blocks that call it."""
    from iacguard.suppress import declared_at

    blocks = declared_at(model.blocks)
    # By scope, innermost first: the module block that calls the module the finding is in.
    calls: dict[str, list[tuple[str, Location]]] = {}
    for (scope, address), location in sorted(
        model.module_calls.items(), key=lambda call: -len(call[0][1])
    ):
        calls.setdefault(scope, []).append((address, location))
    for finding in findings:
        declared = blocks.get(finding.resource)
        if declared is not None and declared.file != finding.location.file:
            related = Related(declared, f"{finding.resource} is declared here")
            finding.related = (*finding.related, related)
        finding.related += tuple(
            Related(location, f"{address} is called here")
            for address, location in calls.get(finding.scope, ())
            if finding.resource.startswith(address + ".") and location.file != finding.location.file
        )


def _construct_paths(findings: list[Finding], model: Model) -> None:
    """Each finding on a resource that has a construct path (where the app that wrote its
    file defined it) names it."""
    paths = {
        (block.location.file, block.address): block.construct_path
        for block in model.blocks
        if block.construct_path is not None
    }
    if paths:
        for finding in findings:
            finding.construct_path = paths.get((finding.location.file, finding.resource))


def _call(errors: list[Error], check: Check, where: Location | None, hook, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        hook(*args)
    except Exception as exc:  # a bug costs that check on that object only
        errors.append(internal(where, f"in {check.id}", exc))
