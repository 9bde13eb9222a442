"""iacguard's readers against the ones they stand in for: import and read times.

    python3 benchmarks/readers.py [CORPUS] [--repeat N] [--terraform]

Reads every template under CORPUS (default: a generated corpus of 400 files) with
iacguard's template reader and with cfn-lint's decoder; with ``--terraform``, every
``.tf`` file with iacguard's run of python-hcl2's tables (``hcl_lalr``) and with lark,
as python-hcl2 parses (its tables loaded from python-hcl2's file or iacguard's cache).
Each reader runs in a fresh process so that it pays its own imports; the script prints
the CPU time of the import (and of loading the tables) and of reading (medians of the
repeats), and the ratio. Run it alone on the machine: the figures are CPU time, but two
cores shared with other work still move them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUFFIXES = (".yaml", ".yml", ".json", ".template")

# Run in a child process: the import is part of what is measured.
CHILD = """
import json, sys, time
start = time.process_time()
if sys.argv[1] == "iacguard":
    from iacguard.parsers.template_reader import DecodeError, read
    def decode(text):
        try:
            read(text)
        except DecodeError:
            pass
elif sys.argv[1] == "cfn-lint":
    from cfnlint.decode import decode_str as decode
else:
    from iacguard.parsers import hcl_lalr, hcl_tables
    hcl = hcl_lalr.parser() if sys.argv[1] == "hcl_lalr" else hcl_tables.lark_parser()
    def decode(text):
        try:
            hcl.parse(text + "\\n")
        except Exception:  # the same files fail with both
            pass
imported = time.process_time()
texts = [open(p, encoding="utf-8-sig").read() for p in sys.argv[2:]]
began = time.process_time()
for text in texts:
    decode(text)
done = time.process_time()
print(json.dumps({"import": imported - start, "read": done - began}))
"""


def templates(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file() and ".git" not in path.parts:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            if "Resources" in text:
                found.append(str(path))
    return found


def terraform_files(root: Path) -> list[str]:
    return [str(p) for p in sorted(root.rglob("*.tf")) if p.is_file() and ".git" not in p.parts]


def measure(reader: str, paths: list[str], repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, reader, *paths],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    return {key: statistics.median(run[key] for run in runs) for key in ("import", "read")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=400, help="size of a generated corpus")
    parser.add_argument("--terraform", action="store_true", help="hcl_lalr against lark")
    args = parser.parse_args()
    corpus = args.corpus
    if corpus is None:
        sys.path.insert(0, str(HERE))
        from generate_corpus import generate

        corpus = Path(tempfile.mkdtemp(prefix="iacguard-templates-"))
        generate(corpus, args.files, 7)
    paths = terraform_files(corpus) if args.terraform else templates(corpus)
    readers = ("lark", "hcl_lalr") if args.terraform else ("cfn-lint", "iacguard")
    size = sum(Path(p).stat().st_size for p in paths)
    print(f"{len(paths)} files, {size / 1024:.0f} KiB, medians of {args.repeat} runs (CPU)")
    results = {reader: measure(reader, paths, args.repeat) for reader in readers}
    for reader, result in results.items():
        print(
            f"{reader:>9}: import {result['import'] * 1000:7.1f} ms, "
            f"read {result['read'] * 1000:7.1f} ms "
            f"({size / 1024 / max(result['read'], 1e-9):,.0f} KiB/s)"
        )
    theirs, ours = (results[reader] for reader in readers)
    print(
        f"   ratio: import {theirs['import'] / max(ours['import'], 1e-9):.1f}x, "
        f"read {theirs['read'] / max(ours['read'], 1e-9):.1f}x, "
        f"both {(theirs['import'] + theirs['read']) / (ours['import'] + ours['read']):.1f}x"
    )


if __name__ == "__main__":
    main()
