"""The pre-commit hook: ``iacguard check`` on the files a commit changes.

pre-commit passes the changed files after the hook's arguments. ``iacguard check`` reads
each Terraform file with the other Terraform files of its directory (its whole module).

File names come from the repository and may look like options (a file named
``--write-baseline=x.json``), so they are told apart from the hook's own arguments by
position, not by their look, and passed to ``iacguard check`` after ``--``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from iacguard.cli import main as cli_main


def split(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """The hook's arguments and the file names pre-commit appended after them: the
    longest run of existing paths at the end, less a first one that is the value of the
    option before it (``--baseline base.json``)."""
    start = len(args)
    while start > 0 and os.path.lexists(args[start - 1]):
        start -= 1
    if 0 < start < len(args) and _takes_value(args[start - 1]):
        start += 1
    return list(args[:start]), list(args[start:])


def _takes_value(arg: str) -> bool:
    from iacguard.arguments import check_option_takes_value

    return arg.startswith("-") and "=" not in arg and check_option_takes_value(arg)


def main(argv: Sequence[str] | None = None) -> int:
    options, files = split(sys.argv[1:] if argv is None else argv)
    return cli_main(["check", *options, "--", *files])


if __name__ == "__main__":
    sys.exit(main())
