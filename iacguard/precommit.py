"""The pre-commit hook: ``iacguard check`` on the files a commit changes.

pre-commit passes the changed files after the hook's arguments. A Terraform file means
little alone (its variables, locals and the resources that use them live in the files
beside it), so each changed Terraform file brings in every Terraform file of its
directory: its whole module. CloudFormation templates stand alone.
"""

from __future__ import annotations

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


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return cli_main(["check", *with_modules(args)])


if __name__ == "__main__":
    sys.exit(main())
