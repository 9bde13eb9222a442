"""The pre-commit hook: ``iacguard check`` on the files a commit changes.

pre-commit passes the changed files after the hook's arguments. ``iacguard check`` reads
each Terraform file with the other Terraform files of its directory (its whole module),
so the hook hands the arguments on as they come.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from iacguard.cli import main as cli_main


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return cli_main(["check", *args])


if __name__ == "__main__":
    sys.exit(main())
