"""The pre-commit hook: ``iacguard check`` on the files a commit changes.

pre-commit passes the changed files after the hook's arguments. A Terraform file means
little alone (its variables, locals and the resources that use them live in the files
beside it), so each changed Terraform file brings in every Terraform file of its
directory: its whole module. CloudFormation templates stand alone.

File names come from the repository and may look like options (a file named
``--write-baseline=x.json``), so they are told apart from the hook's own arguments by
position, not by their look, and passed to ``iacguard check`` after ``--``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from iacguard.cli import main as cli_main
from iacguard.discover import TERRAFORM_SUFFIXES


def with_modules(args: Sequence[str]) -> list[str]:
    """The arguments, each Terraform file followed by the other Terraform files of its
    directory (options and their values pass through)."""
    out: list[str] = []
    for arg in args:
        out.append(arg)
        path = Path(arg)
        if arg.endswith(TERRAFORM_SUFFIXES) and path.is_file():
            siblings = sorted(
                p for p in path.parent.iterdir() if p.name.endswith(TERRAFORM_SUFFIXES)
            )
            out.extend(str(p) for p in siblings if p != path and str(p) not in args)
    return list(dict.fromkeys(out))


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
    from iacguard.cli import check_option_takes_value

    return arg.startswith("-") and "=" not in arg and check_option_takes_value(arg)


def main(argv: Sequence[str] | None = None) -> int:
    options, files = split(sys.argv[1:] if argv is None else argv)
    return cli_main(["check", *options, "--", *with_modules(files)])


if __name__ == "__main__":
    sys.exit(main())
