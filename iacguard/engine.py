"""The engine: files → parsers → one model → checks → findings. Every face calls this."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.checks import CHECKS
from iacguard.checks.base import Check, Context
from iacguard.config import Config
from iacguard.discover import NotRead, discover, display_path
from iacguard.findings import Finding
from iacguard.model import Location, Model, ParseError, Unresolved
from iacguard.parsers import ParseResult
from iacguard.parsers.source import nested_too_deeply

if TYPE_CHECKING:
    from iacguard.suppress import UnusedSuppression


@dataclass(slots=True)
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    resources: int = 0
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)

    @property
    def unsuppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]


def scan(paths: list[str], config: Config, baseline: frozenset[str] = frozenset()) -> ScanResult:
    """Scan files and directories; bad input becomes error entries, never an exception."""
    from iacguard import suppress

    found = discover(paths, config.excluded)
    result = ScanResult()
    result.errors.extend(ParseError(p, "no such file or directory") for p in found.missing)
    result.errors.extend(ParseError(u.file, u.why) for u in found.unreadable)
    result.not_read = found.not_read
    result.skipped.extend(n.file for n in found.not_read)
    model = Model()
    for parsed in _parse_all(found.cloudformation, config.max_file_bytes):
        model.extend(parsed.model)
        result.errors.extend(parsed.errors)
        result.scanned.extend(parsed.scanned)
        result.skipped.extend(parsed.skipped)
    if found.terraform:
        parsed = _parse_terraform(found.terraform, config)
        model.extend(parsed.model)
        result.errors.extend(parsed.errors)
        result.scanned.extend(parsed.scanned)
    checks = tuple(c for c in CHECKS if c.id not in config.disabled)
    checked = check_model(model, config, checks)
    result.findings = checked.findings
    result.unused_suppressions = suppress.apply(
        checked.findings, model.directives, model.blocks, config, baseline
    )
    result.errors.extend(checked.errors)
    result.unresolved = model.unresolved + checked.unresolved
    result.resources = model.resources
    return result


def _parse_all(cloudformation: list[Path], max_bytes: int) -> list[ParseResult]:
    from iacguard.parsers import cloudformation as cfn

    results = []
    for path in cloudformation:
        file = display_path(path)
        try:
            results.append(cfn.parse_file(path, file, max_bytes))
        except RecursionError:
            results.append(_failed(file, nested_too_deeply()))
        except Exception as exc:  # one bad file must not stop the scan
            results.append(
                _failed(file, f"internal error while parsing: {type(exc).__name__}: {exc}")
            )
    return results


def _parse_terraform(modules: dict[Path, list[Path]], config: Config) -> ParseResult:
    from iacguard.parsers import terraform

    try:
        return terraform.parse_modules(
            modules, [Path(f) for f in config.var_files], config.max_file_bytes
        )
    except Exception as exc:  # a bug must not lose the CloudFormation results
        first = next(iter(modules))
        return _failed(
            display_path(first),
            f"internal error while parsing Terraform: {type(exc).__name__}: {exc}",
        )


def _failed(file: str, message: str) -> ParseResult:
    result = ParseResult()
    result.errors.append(ParseError(file, message))
    return result


@dataclass(slots=True)
class Checked:
    findings: list[Finding]
    unresolved: list[Unresolved]
    errors: list[ParseError]


def check_model(model: Model, config: Config, checks: tuple[type[Check], ...] = CHECKS) -> Checked:
    """Run every check over the model. A check that fails on one object becomes an
    error entry for that object's file; the other checks and objects go on."""
    ctx = Context(config)
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
    ctx.findings.sort(key=Finding.sort_key)
    return Checked(ctx.findings, ctx.unresolved, errors)


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
