"""The command line: arguments to a command, and the process's end.

Imports are deferred to the command that needs them, so ``iacguard --version`` and a
scan of a small file start fast (pre-commit runs this on every commit).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from iacguard.commands import EXIT_ERROR

EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, as the shell reports a process SIGPIPE ended


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # names from the scanned files must not crash a terminal that cannot show them
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        code = _main(argv)
        sys.stdout.flush()  # inside the try: a closed pipe shows up here for buffered output
    except BrokenPipeError:
        return _closed_pipe()
    return code


def _closed_pipe() -> int:
    """The reader went away (``iacguard explain IG002 | head -1``): stop quietly, as
    command-line tools do."""
    # Python flushes stdout again at exit; point it at nothing so that cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_CLOSED_PIPE


def _main(argv: Sequence[str] | None) -> int:
    from iacguard import known_requests

    arguments = list(sys.argv[1:] if argv is None else argv)
    known = known_requests.get(arguments)  # before argparse is imported
    if known is not None:
        from iacguard.commands import check

        return check.run(known)

    from iacguard.arguments import parse

    parser, args = parse(arguments)
    if args.command == "check":
        from iacguard.arguments import check_request
        from iacguard.commands import check

        if args.changed_lines and not args.diff_base:
            return check.fail(
                "--changed-lines needs --diff-base REF", github=args.format == "github"
            )
        request = check_request(args)
        known_requests.put(arguments, request)
        return check.run(request)
    if args.command == "rules":
        from iacguard.commands.rules import rules

        return rules(args.format)
    if args.command == "explain":
        from iacguard.commands.rules import explain

        return explain(args.rule)
    parser.print_help()
    return EXIT_ERROR


def run() -> None:
    """The console script: ``main``, then the output flushed and the process ended at
    once, without tearing down the interpreter's objects (70-90 ms of a warm scan)."""
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing more can be said
        status = status or EXIT_ERROR
    os._exit(status)


if __name__ == "__main__":
    run()
