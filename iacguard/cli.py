"""The command line: argument parsing only; the work is delegated.

Imports are deferred to the command that needs them, so ``iacguard --version`` and a
scan of a small file start fast (pre-commit runs this on every commit).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from iacguard import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("critical", "high", "medium", "low", "info")
FORMATS = ("text", "json")


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
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    check.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default="low",
        help="exit 1 when a finding is at or above this severity (default: low)",
    )
    check.add_argument(
        "--max-session-seconds",
        type=_positive_int,
        metavar="N",
        help="longest role session allowed by role-session-limit (default: 3600)",
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
        help="role-session-limit also fires when a role does not set its session length",
    )

    rules = commands.add_parser("rules", help="list the checks")
    rules.add_argument("--format", choices=FORMATS, default="text")

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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "rules":
        return _rules(args.format)
    if args.command == "explain":
        return _explain(args.rule)
    _parser().print_help()
    return EXIT_ERROR


def _check(args: argparse.Namespace) -> int:
    from iacguard.config import Config
    from iacguard.engine import scan
    from iacguard.findings import Severity

    config = Config(
        fail_on=Severity(args.fail_on),
        require_explicit_session_limit=args.require_explicit_session_limit,
        var_files=tuple(args.var_file),
    )
    if args.max_session_seconds:
        config.max_session_seconds = args.max_session_seconds
    result = scan(args.paths, config)

    for error in result.errors:
        where = (
            error.file
            + (f":{error.line}" if error.line else "")
            + (f":{error.column}" if error.column else "")
        )
        print(f"{where}: error: {error.message}", file=sys.stderr)
    if args.format == "json":
        from iacguard.report import json as report_json

        sys.stdout.write(report_json.render(result))
    else:
        from iacguard.report import text

        sys.stdout.write(text.render(result, colour=_colour(sys.stdout)))

    if result.errors:
        return EXIT_ERROR
    failing = [
        f for f in result.findings if not f.suppressed and f.severity.rank >= config.fail_on.rank
    ]
    return EXIT_FINDINGS if failing else EXIT_OK


def _colour(stream: object) -> bool:
    import os

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
    for c in CHECKS:
        print(f"{c.id}  {c.slug:<22}  {c.severity.value:<8}  {c.summary}")
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
