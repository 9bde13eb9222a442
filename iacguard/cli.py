"""The command line: argument parsing only; the work is delegated.

Imports are deferred to the command that needs them, so ``iacguard --version`` and a
scan of a small file start fast (pre-commit runs this on every commit).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from iacguard import __version__
from iacguard.report import FORMATS

if TYPE_CHECKING:
    from iacguard.engine import ScanOptions

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("critical", "high", "medium", "low", "info")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iacguard",
        description="Check the IAM part of Terraform and CloudFormation before it is deployed.",
    )
    parser.add_argument("--version", action="version", version=f"iacguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="scan files and directories")
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or directories to scan")
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
        choices=SEVERITIES,
        help="exit 1 when a finding is at or above this severity (default: low)",
    )
    check.add_argument(
        "--max-session-seconds",
        type=_positive_int,
        metavar="N",
        help="longest role session allowed by role-session-limit (default: 3600)",
    )
    check.add_argument(
        "--trusted-account",
        action="append",
        default=[],
        type=_account_id,
        metavar="ID",
        help="an AWS account that cross-account-trust treats as your own (repeatable)",
    )
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
        "--require-explicit-session-limit",
        action="store_true",
        default=None,
        help="role-session-limit also fires when a role does not set its session length",
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
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="parse in N worker processes when there is enough to parse "
        "(default: the cores available)",
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the parse cache ($IACGUARD_CACHE_DIR, else the user "
        "cache directory)",
    )
    check.add_argument(
        "--parse-timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="skip, with an error, a file that takes longer than this to parse (default: 30)",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="unused suppressions and values that cannot be resolved fail the run",
    )

    rules = commands.add_parser("rules", help="list the checks")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", help="show the documentation of one check")
    explain.add_argument("rule", metavar="RULE", help="a rule id (IG002) or slug (wildcard-action)")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _account_id(text: str) -> str:
    from iacguard.config import account_problem

    problem = account_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # names from the scanned files must not crash a terminal that cannot show them
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        if args.changed_lines and not args.diff_base:
            parser.error("--changed-lines needs --diff-base REF")
        return _check(args)
    if args.command == "rules":
        return _rules(args.format)
    if args.command == "explain":
        return _explain(args.rule)
    _parser().print_help()
    return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    from iacguard.baseline import read_baseline, write_baseline
    from iacguard.config import ConfigError, load_config
    from iacguard.engine import scan
    from iacguard.findings import Severity
    from iacguard.report import render

    github = args.format == "github"
    try:
        config = load_config(args.config)
        baseline = read_baseline(args.baseline) if args.baseline else frozenset()
    except ConfigError as exc:
        return _fail(str(exc), github=github)
    if args.fail_on:
        config.fail_on = Severity(args.fail_on)
    if args.max_session_seconds:
        config.max_session_seconds = args.max_session_seconds
    if args.max_file_bytes:
        config.max_file_bytes = args.max_file_bytes
    if args.require_explicit_session_limit:
        config.require_explicit_session_limit = True
    config.var_files += tuple(args.var_file)  # after the config's: later files win
    config.trusted_accounts += tuple(args.trusted_account)

    changes = None
    if args.diff_base:
        from iacguard.diff import DiffError, changes_since

        try:
            changes = changes_since(args.diff_base)
        except DiffError as exc:
            return _fail(str(exc), github=github)

    result = scan(args.paths, config, baseline, _scan_options(args))
    if changes is not None:
        result = changes.keep(result, lines=args.changed_lines)

    if not github:  # github mode reports errors as annotations, never as raw lines
        from iacguard.report.text import error_line

        for error in result.errors:
            print(error_line(error), file=sys.stderr)
    if args.write_baseline:
        count = write_baseline(args.write_baseline, result.findings)
        print(f"Wrote {count} finding{'s' if count != 1 else ''} to {args.write_baseline}.")
        return EXIT_ERROR if result.errors else EXIT_OK
    for fmt, path in (("sarif", args.output_sarif), ("json", args.output_json)):
        if path:
            try:
                _write(path, render(fmt, result))
            except OSError as exc:
                return _fail(f"cannot write {path}: {exc.strerror or exc}", github=github)
    colour = _colour(sys.stdout)
    sys.stdout.write(
        render(args.format, result, colour=colour, show_suppressed=args.show_suppressed)
    )
    if github and os.environ.get("GITHUB_STEP_SUMMARY"):
        from iacguard.report import summary

        try:
            summary.append(result, os.environ["GITHUB_STEP_SUMMARY"])
        except OSError as exc:
            return _fail(f"cannot write the job summary: {exc.strerror or exc}", github=github)

    if result.errors:
        return EXIT_ERROR
    failing = [f for f in result.unsuppressed if f.severity.rank >= config.fail_on.rank]
    if failing or (args.strict and (result.unused_suppressions or result.unresolved)):
        return EXIT_FINDINGS
    return EXIT_OK


def _scan_options(args: argparse.Namespace) -> ScanOptions:
    """How to run the scan: workers, cache, time limit, and a progress bar on a terminal
    (text output only: the other formats are read by programs)."""
    from iacguard.engine import ScanOptions
    from iacguard.progress import Progress

    progress = None
    if args.format == "text" and Progress.wanted(sys.stderr):
        progress = Progress(sys.stderr)
    options = ScanOptions(jobs=args.jobs, cache=not args.no_cache, progress=progress)
    if args.parse_timeout:
        options.timeout = args.parse_timeout
    return options


def _write(path: str, text: str) -> None:
    from pathlib import Path

    Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")


def _fail(message: str, *, github: bool) -> int:
    """A one-line error on stderr; in github mode an escaped error annotation, because
    the message may quote a ref or a path from the pull request."""
    if github:
        from iacguard.report.github import fatal

        print(fatal(message), file=sys.stderr)
    else:
        print(f"iacguard: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _colour(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _rules(fmt: str) -> int:
    from iacguard.checks import CHECKS

    if fmt == "json":
        import json

        rows = [
            {"id": c.id, "slug": c.slug, "severity": c.severity.value, "summary": c.summary}
            for c in CHECKS
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(c.slug) for c in CHECKS)
    for c in CHECKS:
        print(f"{c.id}  {c.slug:<{width}}  {c.severity.value:<8}  {c.summary}")
    return EXIT_OK


def _explain(key: str) -> int:
    from iacguard.checks import CHECKS, find_check

    check = find_check(key)
    if check is None:
        known = ", ".join(f"{c.id} ({c.slug})" for c in CHECKS)
        print(f"iacguard: error: no rule {key!r}; the rules are {known}", file=sys.stderr)
        return EXIT_ERROR
    doc = check.documentation()
    print(f"{check.id} {check.slug} ({check.severity.value})")
    print()
    print(doc[""])
    for heading, body in doc.items():
        if heading:
            print()
            print(f"## {heading}")
            print(body)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
