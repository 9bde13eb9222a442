"""``iacguard check``: settle the settings, scan, keep what the diff asks for, record or
render the result, and say by the exit code whether the run fails.

Each step is a function a test can call; ``run`` chains them. Output goes to
``sys.stdout`` and ``sys.stderr`` as they are when it runs.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from iacguard.commands import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from iacguard.records import dataclass, field

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from iacguard.config import Config
    from iacguard.discover import Discovery
    from iacguard.findings import ScanResult
    from iacguard.parsing import ScanOptions
    from iacguard.profile import Profile
    from iacguard.replay import Replay, Written


class CommandError(Exception):
    """What stops the command; the message is the one line a user sees."""


@dataclass(slots=True)
class CheckRequest:
    """What ``iacguard check`` is asked to do: its arguments, free of argparse."""

    paths: list[str]
    format: str = "text"
    output_sarif: str | None = None
    output_json: str | None = None
    diff_base: str | None = None
    changed_lines: bool = False
    fail_on: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # check options, by name
    max_file_bytes: int | None = None
    var_files: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)  # --parameters: files or Key=Value
    config: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    show_suppressed: bool = False
    show_unresolved: bool = False
    strict: bool = False
    jobs: int | None = None
    cache: bool = True
    parse_timeout: float | None = None
    parse_budget: float | None = None
    gitignore: bool = True  # False: --no-gitignore
    select: tuple[str, ...] | None = None  # None: the config's
    deselect: tuple[str, ...] = ()  # added to the config's
    exit_zero: bool = False
    quiet: bool = False
    no_color: bool = False
    group_by: str | None = None  # text output: rule or file
    profile: bool = False  # CPU time by phase on stderr

    @property
    def github(self) -> bool:
        return self.format == "github"


def run(request: CheckRequest) -> int:
    """The whole command; the exit code."""
    profile = None
    if request.profile:
        from iacguard.profile import Profile

        profile = Profile()
    try:
        with _path_answers(request):
            return _run(request, profile)
    finally:
        if profile is not None:
            sys.stdout.flush()
            sys.stderr.write(profile.render())


def _path_answers(request: CheckRequest) -> AbstractContextManager[None]:
    """pathspec's answers kept in the cache, unless it is off (``pathmatch``)."""
    from iacguard import pathmatch
    from iacguard.cache import Cache, default_directory

    return pathmatch.remembering(Cache(default_directory()) if request.cache else None)


def _run(request: CheckRequest, profile: Profile | None) -> int:
    from iacguard import observed
    from iacguard.profile import phase
    from iacguard.replay import Written

    try:
        config = configure(request)
        replay = _replay(request, config)
        if replay is not None:
            with phase(profile, "replay"):
                replayed = replay.lookup()
            if replayed is not None:
                return _write_again(replayed)
        with observed.recording() as journal:
            result = scan(request, config, profile, replay.discovery if replay else None)
    except CommandError as exc:
        return fail(str(exc), github=request.github)
    written = Written()
    written.code = _finish(request, config, result, profile, written)
    if replay is not None and not result.errors:
        replay.store(journal, written)
    return written.code


def _replay(request: CheckRequest, config: Config) -> Replay | None:
    """The replay of this command, when it may be replayed."""
    from iacguard.discover import with_modules
    from iacguard.replay import Replay

    if not Replay.wanted(request):
        return None
    coloured = colour(sys.stdout, disabled=request.no_color)
    try:
        return Replay(request, config, with_modules(request.paths), coloured)
    except TypeError:  # a setting it cannot tell apart from another
        return None


def _write_again(written: Written) -> int:
    from iacguard.atomic import write_text

    for path, text in written.files:
        try:
            write_text(path, text)
        except OSError as exc:
            return fail(f"cannot write {path}: {exc.strerror or exc}", github=False)
    sys.stdout.write(written.stdout)
    return written.code


def _finish(
    request: CheckRequest,
    config: Config,
    result: ScanResult,
    profile: Profile | None,
    written: Written | None = None,
) -> int:
    """Errors, then the baseline written or the report rendered; the exit code.
    ``written`` gets what the report wrote."""
    if not request.github:  # github mode reports errors as annotations, never as raw lines
        from iacguard.report.text import error_line

        for error in result.errors:
            print(error_line(error), file=sys.stderr)
    if request.write_baseline:
        from iacguard.baseline import write_baseline

        count = write_baseline(request.write_baseline, result.findings)
        print(f"Wrote {count} finding{'s' if count != 1 else ''} to {request.write_baseline}.")
        return EXIT_ERROR if result.errors else EXIT_OK
    try:
        from iacguard.profile import phase

        with phase(profile, "report"):
            render(request, result, written)
    except CommandError as exc:
        return fail(str(exc), github=request.github)
    return exit_code(result, config, strict=request.strict)


def configure(request: CheckRequest) -> Config:
    """The config file, found or named, with the command line's settings on top."""
    from iacguard.config import ConfigError, load_config
    from iacguard.severity import Severity

    try:
        config = load_config(request.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    if request.fail_on:
        config.fail_on = None if request.fail_on == "none" else Severity(request.fail_on)
    if request.exit_zero:
        config.fail_on = None
    if request.select is not None:
        config.select = request.select
    config.deselect += request.deselect
    config.options.update(request.options)
    if request.max_file_bytes:
        config.max_file_bytes = request.max_file_bytes
    config.var_files += tuple(request.var_files)  # after the config's: later files win
    if request.parameters:
        from iacguard.parsers.cfn_parameters import (
            ParametersError,
            parameter_files,
            read_parameters,
        )

        try:
            config.parameters = read_parameters(request.parameters)
        except ParametersError as exc:
            raise CommandError(str(exc)) from None
        config.parameter_files = tuple(parameter_files(request.parameters))
    if not request.gitignore:
        config.gitignore = False
    return config


def scan(
    request: CheckRequest,
    config: Config,
    profile: Profile | None = None,
    discovery: Discovery | None = None,
) -> ScanResult:
    """Scan the paths with the baseline applied; with a diff base, only what changed.
    ``discovery``: what discovering the paths found, when that was done already."""
    from iacguard import engine

    baseline = None
    if request.baseline:  # (its module is 2 ms of dataclasses a scan without one skips)
        from iacguard.baseline import read_baseline
        from iacguard.config import ConfigError

        try:
            baseline = read_baseline(request.baseline)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
    changes = None
    if request.diff_base:
        from iacguard.diff import DiffError, changes_since

        try:
            changes = changes_since(request.diff_base)
        except DiffError as exc:
            raise CommandError(str(exc)) from None
    from iacguard.discover import with_modules

    options = scan_options(request)
    options.profile = profile
    options.discovery = discovery
    result = engine.scan(with_modules(request.paths), config, baseline, options)
    if changes is not None:
        result = changes.keep(result, lines=request.changed_lines)
    return result


def scan_options(request: CheckRequest) -> ScanOptions:
    """How to run the scan: workers, cache, time limit, and a progress bar on a terminal
    (text output only: the other formats are read by programs)."""
    from iacguard.parsing import ScanOptions
    from iacguard.progress import Progress

    progress = None
    if request.format == "text" and not request.quiet and Progress.wanted(sys.stderr):
        progress = Progress(sys.stderr)
    options = ScanOptions(jobs=request.jobs, cache=request.cache, progress=progress)
    if request.parse_timeout:
        options.timeout = request.parse_timeout
    if request.parse_budget:
        options.budget = request.parse_budget
    return options


def render(request: CheckRequest, result: ScanResult, written: Written | None = None) -> None:
    """The output files, the output on stdout and, in GitHub, the job summary;
    ``written`` gets the first two."""
    from iacguard import report
    from iacguard.atomic import write_text

    for fmt, path in (("sarif", request.output_sarif), ("json", request.output_json)):
        if path:
            text = report.render(fmt, result)
            try:
                # a new file renamed into place: a link committed under this name is
                # replaced, never written through
                write_text(path, text)
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
            if written is not None:
                written.files.append((path, text))
    stdout = report.render(
        request.format,
        result,
        colour=colour(sys.stdout, disabled=request.no_color),
        show_suppressed=request.show_suppressed,
        show_unresolved=request.show_unresolved,
        quiet=request.quiet,
        group_by=request.group_by,
    )
    sys.stdout.write(stdout)
    if written is not None:
        written.stdout = stdout
    if request.github and os.environ.get("GITHUB_STEP_SUMMARY"):
        from iacguard.report import summary

        try:
            summary.append(result, os.environ["GITHUB_STEP_SUMMARY"])
        except OSError as exc:
            raise CommandError(f"cannot write the job summary: {exc.strerror or exc}") from None


def exit_code(result: ScanResult, config: Config, *, strict: bool) -> int:
    """2 for errors; 1 for a finding at or above ``fail_on`` or, when strict, an unused
    suppression or an unresolved value; else 0 (always, but for errors, when ``fail_on``
    is None)."""
    if result.errors:
        return EXIT_ERROR
    if config.fail_on is None:  # --exit-zero, --fail-on none
        return EXIT_OK
    failing = [f for f in result.unsuppressed if f.severity.rank >= config.fail_on.rank]
    if failing or (strict and (result.unused_suppressions or result.unresolved)):
        return EXIT_FINDINGS
    return EXIT_OK


def fail(message: str, *, github: bool) -> int:
    """A one-line error on stderr; in github mode an escaped error annotation, because
    the message may quote a ref or a path from the pull request."""
    if github:
        from iacguard.report.github import fatal

        print(fatal(message), file=sys.stderr)
    else:
        from iacguard.report import printable

        print(f"iacguard: error: {printable(message)}", file=sys.stderr)
    return EXIT_ERROR


def colour(stream: object, *, disabled: bool = False) -> bool:
    """--no-color and NO_COLOR turn it off, FORCE_COLOR on (a CI log that shows it),
    TERM=dumb off; else colour on a terminal only."""
    if disabled or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0", "false"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
