"""The parse floor: import python-hcl2 and cfn-lint's decoder and parse every Terraform
file and CloudFormation template under a directory, in one process, doing nothing else.

    python3 benchmarks/parse_floor.py CORPUS

This is what any checker of these files has to pay at least (iacguard uses the same two
parsers); each parser is imported only when there are files for it. Files are found
the way iacguard finds them (hidden and vendored folders skipped); a YAML/JSON file
counts as a template when it mentions ``Resources``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

SKIPPED = {".git", ".terraform", "node_modules", "__pycache__"}


def files(root: Path) -> tuple[list[Path], list[Path]]:
    terraform, templates = [], []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED and not d.startswith("."))
        for name in sorted(names):
            path = Path(directory) / name
            if name.endswith(".tf"):
                terraform.append(path)
            elif name.endswith((".yaml", ".yml", ".json", ".template")):
                templates.append(path)
    return terraform, templates


def main() -> None:
    start = time.perf_counter()
    terraform, candidates = files(Path(sys.argv[1]))
    if terraform:  # each parser is imported only when there are files for it
        import hcl2
    for path in terraform:
        try:
            hcl2.parses(path.read_text(encoding="utf-8"))
        except Exception as exc:
            print(f"{path}: {type(exc).__name__}", file=sys.stderr)
    templates = 0
    for path in candidates:
        text = path.read_text(encoding="utf-8")
        if "Resources" in text:
            from cfnlint.decode import decode_str

            decode_str(text)
            templates += 1
    elapsed = time.perf_counter() - start
    print(f"parsed {len(terraform)} Terraform files and {templates} templates in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
