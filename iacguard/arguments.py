"""The command line's grammar: the arguments each command takes, and an ``iacguard
check`` request made of them. Nothing here does the work (``iacguard.commands`` does).

Imports are deferred to the command that needs them, so ``iacguard --version`` and a
scan of a small file start fast (pre-commit runs this on every commit).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from iacguard import __version__
from iacguard.report import FORMATS

if TYPE_CHECKING:
    from iacguard.checks.options import Option
    from iacguard.commands.check import CheckRequest

SEVERITIES = ("critical", "high", "medium", "low", "info")
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, as the shell reports a process SIGPIPE ended


def _version() -> str:
    from iacguard.catalog import info

    catalog = info()
    return (
        f"iacguard {__version__} (action catalog: {catalog.source} {catalog.version}, "
        f"{catalog.date})"
    )


class _VersionAction(argparse.Action):
    """``--version``, its text made only when asked for (it reads the action catalog)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        formatter = parser._get_formatter()
        formatter.add_text(_version())
        parser._print_message(formatter.format_help(), sys.stdout)
        parser.exit()


class _Formatter(argparse.HelpFormatter):
    """argparse's, sized to the terminal once: argparse makes one to check each argument
    declared, and asks shutil (3 ms to import) for the terminal's width each time."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = _columns() - 2 if width is None else width  # as argparse sizes it
        super().__init__(prog, indent_increment, max_help_position, width)


@functools.cache
def _columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _parser(check_options: bool = True) -> argparse.ArgumentParser:
    """The parser; without ``check_options``, without the flags of the checks' options
    (declaring them imports every check)."""
    parser = argparse.ArgumentParser(
        prog="iacguard",
        description="Check the IAM part of Terraform and CloudFormation before it is deployed.",
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show program's version number and exit"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check", help="scan files and directories", formatter_class=_Formatter
    )
    check.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories to scan (default: the current directory); a Terraform "
        "file brings the other files of its module",
    )
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format on stdout (default: text); github: workflow-command annotations, "
        "plus a job summary when $GITHUB_STEP_SUMMARY is set",
    )
    check.add_argument("--output-sarif", metavar="FILE", help="also write SARIF 2.1.0 to FILE")
    check.add_argument("--output-json", metavar="FILE", help="also write the JSON output to FILE")
    check.add_argument(
        "--diff-base",
        metavar="REF",
        help="report only findings in files changed since the merge base of REF and HEAD "
        "(git); the whole tree is still scanned",
    )
    check.add_argument(
        "--changed-lines",
        action="store_true",
        help="with --diff-base: report only findings on changed lines",
    )
    check.add_argument(
        "--fail-on",
        type=_fail_on,
        metavar="{" + ",".join((*SEVERITIES, "none")) + "}",
        help="exit 1 when a finding is at or above this severity, any case (default: low); "
        "none: findings never fail the run",
    )
    check.add_argument(
        "--exit-zero",
        action="store_true",
        help="findings never fail the run (as --fail-on none); errors still exit 2",
    )
    check.add_argument(
        "--select",
        type=_selectors,
        action="append",
        metavar="RULES",
        help="run only these rules: ids, slugs or id prefixes (IG00), comma-separated "
        "(repeatable; config key select)",
    )
    check.add_argument(
        "--ignore",
        type=_selectors,
        action="append",
        metavar="RULES",
        help="do not run these rules: ids, slugs or id prefixes, comma-separated "
        "(repeatable; in the config, rules listed under ignore)",
    )
    check.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="text output: only the summary line (errors still go to stderr)",
    )
    check.add_argument(
        "--group-by",
        choices=("rule", "file"),
        help="text output: the findings under a heading per rule or per file",
    )
    check.add_argument(
        "--no-color",
        action="store_true",
        help="no colour in text output (also NO_COLOR or TERM=dumb; FORCE_COLOR forces it)",
    )
    if check_options:
        _add_check_options(check)
    check.add_argument(
        "--max-file-bytes",
        type=_positive_int,
        metavar="N",
        help="do not read files over N bytes; one that is IaC is an error (default: 1048576)",
    )
    check.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="Terraform variables file for root modules, after their own .tfvars (repeatable)",
    )
    check.add_argument(
        "--parameters",
        action="append",
        default=[],
        metavar="FILE|KEY=VALUE",
        help="CloudFormation parameter values over the templates' defaults: a file in the AWS "
        'CLI\'s [{"ParameterKey": …, "ParameterValue": …}] form, or Key=Value (repeatable)',
    )
    check.add_argument(
        "--no-gitignore",
        action="store_true",
        help="also scan what .gitignore files ignore (default: leave it out; config key gitignore)",
    )
    check.add_argument(
        "--config",
        metavar="FILE",
        help="config file (default: .iacguard.yaml or pyproject.toml [tool.iacguard] "
        "in the current directory, then the git root)",
    )
    check.add_argument(
        "--baseline", metavar="FILE", help="suppress the findings recorded in this baseline"
    )
    check.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the current findings in FILE (then --baseline FILE accepts them)",
    )
    check.add_argument(
        "--show-suppressed", action="store_true", help="text output also lists suppressed findings"
    )
    check.add_argument(
        "--show-unresolved",
        action="store_true",
        help="text output also lists the values that could not be resolved",
    )
    check.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="parse in N processes (this one and N-1 workers) when there is enough to "
        "parse (default: the cores available)",
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the cache of parse results and replayed scans "
        "($IACGUARD_CACHE_DIR, else the user cache directory)",
    )
    check.add_argument(
        "--parse-timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="skip, with an error, a file that takes more CPU time than this to parse "
        "(default: 30)",
    )
    check.add_argument(
        "--parse-budget",
        type=_positive_float,
        metavar="SECONDS",
        help="report, as errors, the files not parsed within this time for the whole scan "
        "(default: 600)",
    )
    check.add_argument(
        "--profile",
        action="store_true",
        help="print the CPU time of each phase of the scan on stderr",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="unused suppressions and values that cannot be resolved fail the run",
    )

    rules = commands.add_parser("rules", help="list the checks", formatter_class=_Formatter)
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser(
        "explain", help="show the documentation of one check", formatter_class=_Formatter
    )
    explain.add_argument("rule", metavar="RULE", help="a rule id (IG002) or slug (wildcard-action)")
    return parser


def _add_check_options(parser: argparse.ArgumentParser) -> None:
    """One flag per check option, as the check declares it."""
    from iacguard.checks import CHECKS, OPTIONS

    for option in OPTIONS:
        users = ", ".join(c.slug for c in CHECKS if option in c.options)
        if option.kind == "boolean":
            parser.add_argument(
                option.cli_flag,
                dest=f"option_{option.name}",
                action="store_true",
                default=None,
                help=f"{users}: {option.help}",
            )
            continue
        repeatable = option.kind == "strings"
        parser.add_argument(
            option.cli_flag,
            dest=f"option_{option.name}",
            type=_option_value(option),
            action="append" if repeatable else "store",
            metavar=option.metavar,
            help=f"{users}: {option.help} (default: {option.shown(option.default)}"
            f"{'; repeatable' if repeatable else ''})",
        )


def _option_value(option: Option[Any]) -> Callable[[str], Any]:
    """argparse's type for one option: its value, or a usage error that says why."""
    from iacguard.checks.options import OptionError

    def parse(text: str) -> Any:
        try:
            value = option.value(text)
        except OptionError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return value[0] if isinstance(value, tuple) else value  # a list flag takes one each time

    return parse


def _given_options(args: argparse.Namespace) -> dict[str, Any]:
    """The check options given on the command line, by name (a list flag: its values)."""
    given = {k.removeprefix("option_"): v for k, v in vars(args).items() if k.startswith("option_")}
    return {
        name: tuple(v) if isinstance(v, list) else v for name, v in given.items() if v is not None
    }


def _fail_on(text: str) -> str:
    from iacguard.config import parse_fail_on

    try:
        severity = parse_fail_on(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return severity.value if severity is not None else "none"


def _selectors(text: str) -> tuple[str, ...]:
    from iacguard.config import check_selector

    selectors = tuple(s.strip() for s in text.split(",") if s.strip())
    for selector in selectors:
        why = check_selector(selector)
        if why is not None:
            raise argparse.ArgumentTypeError(why)
    return selectors


def check_option_takes_value(option: str) -> bool:
    """Whether ``iacguard check``'s option ``option`` is followed by a value."""
    action = _subparser(_parser(), "check")._option_string_actions.get(option)
    return action is not None and action.nargs != 0


def _check_arguments(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``iacguard check``'s arguments, paths anywhere among the options (as git and ruff
    take them: ``check a --format json b``) and every argument after ``--`` a path."""
    rest = argv[argv.index("check") + 1 :]  # the top level's options take no value
    after: list[str] = []
    if "--" in rest:
        rest, after = rest[: rest.index("--")], rest[rest.index("--") + 1 :]
    check = _subparser(parser, "check")
    args = check.parse_intermixed_args(rest)
    if after:
        named = args.paths is not check.get_default("paths")  # not the default "."
        args.paths = [*(args.paths if named else []), *after]
    args.command = "check"
    return args


def _only_known_options(parser: argparse.ArgumentParser, arguments: list[str]) -> bool:
    """Whether every option in ``arguments`` is spelled out in full in ``parser`` (then
    it parses them as the parser with every option would), and none asks for help."""
    known = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                known.update(subparser._option_string_actions)
    known -= {"-h", "--help"}
    for argument in arguments:
        if argument == "--":
            break
        if argument.startswith("-") and argument.partition("=")[0] not in known:
            return False
    return True


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: argparse.ArgumentParser = subcommands.choices[command]
    return found


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def parse(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """The parser and what it made of ``argv``; exits with usage on a wrong argument."""
    parser = _parser(check_options=False)
    if not _only_known_options(parser, list(argv)):  # a check's option, --help, a typo…
        parser = _parser()
    args, _ = parser.parse_known_args(argv)
    if args.command == "check":
        return parser, _check_arguments(parser, list(argv))
    return parser, parser.parse_args(argv)


def check_request(args: argparse.Namespace) -> CheckRequest:
    from iacguard.commands.check import CheckRequest

    return CheckRequest(
        paths=args.paths,
        format=args.format,
        output_sarif=args.output_sarif,
        output_json=args.output_json,
        diff_base=args.diff_base,
        changed_lines=args.changed_lines,
        fail_on=args.fail_on,
        options=_given_options(args),
        max_file_bytes=args.max_file_bytes,
        var_files=args.var_file,
        parameters=args.parameters,
        config=args.config,
        baseline=args.baseline,
        write_baseline=args.write_baseline,
        show_suppressed=args.show_suppressed,
        show_unresolved=args.show_unresolved,
        strict=args.strict,
        jobs=args.jobs,
        cache=not args.no_cache,
        parse_timeout=args.parse_timeout,
        parse_budget=args.parse_budget,
        gitignore=not args.no_gitignore,
        select=sum(args.select, ()) if args.select else None,
        deselect=sum(args.ignore or [], ()),
        exit_zero=args.exit_zero,
        quiet=args.quiet,
        no_color=args.no_color,
        group_by=args.group_by,
        profile=args.profile,
    )
