"""The scheduler's cost model against measurements: the inputs it decides from, and its
constants measured again on a corpus.

    python3 benchmarks/cost_model.py /tmp/iacguard-bench/corpus-mixed-1000-1 [...]

For each corpus: the files and bytes each format brings to parsing (after the
pre-filter), the model's estimates with and without workers and its decision (what
``benchmarks/run.py`` prints too); then, measured in CPU time so that a loaded machine
does not skew them, what the constants stand for: the seconds a fresh process spends
importing a format's parser and parsing its first small file (``IMPORT_SECONDS``), the
bytes of that format parsed per second (``BYTES_PER_SECOND``), and what the workers
themselves cost: starting them, sending each its units and taking back the results,
stopping them (``POOL_SECONDS``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = {
    "cloudformation": "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {}\n",
    "terraform": 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n',
}


def units_of(corpus: Path) -> list:
    """The units a cold scan of ``corpus`` parses ahead (in the corpus directory)."""
    from iacguard.config import Config
    from iacguard.discover import discover
    from iacguard.formats import FORMATS
    from iacguard.parsing import ScanOptions, Scheduler

    previous = Path.cwd()
    os.chdir(corpus)
    try:
        config = Config()
        found = discover(["."], config.excluded)
        parsing = Scheduler(ScanOptions(cache=False), config.max_file_bytes, {Path()})
        return [
            unit
            for form in FORMATS
            for unit, _ in form.reader(parsing, config).ahead(
                found.files.get(form.name, []), {Path()}
            )
        ]
    finally:
        os.chdir(previous)


def inputs(corpus: Path, workers: int = 2) -> dict:
    """What the model decides from, and what it decides, for a cold scan of ``corpus``."""
    from iacguard import runner

    units = units_of(corpus)
    kinds: dict[str, dict[str, int]] = {}
    for unit in units:
        kind = kinds.setdefault(unit.kind, {"files": 0, "bytes": 0})
        kind["files"] += 1
        kind["bytes"] += len(unit.text)
    serial, pooled = runner.estimate(units, workers) if units else (0.0, 0.0)
    return {
        "units": kinds,
        "workers": workers,
        "serial_s": round(serial, 3),
        "pool_s": round(pooled + runner.POOL_SECONDS, 3),
        "uses_workers": bool(units) and runner.pool_pays(units, workers),
        "IMPORT_SECONDS": runner.IMPORT_SECONDS,
        "BYTES_PER_SECOND": runner.BYTES_PER_SECOND,
        "POOL_SECONDS": runner.POOL_SECONDS,
        "POOL_SAVING": runner.POOL_SAVING,
    }


def import_seconds(kind: str) -> float:
    """CPU seconds a fresh process (the engine and iacguard's Terraform module imported,
    as a forked worker has them) spends importing ``kind``'s parser and parsing one
    small file."""
    code = (
        "import resource, sys\n"
        "import iacguard.engine\n"
        "from iacguard.parsing import parse_unit\n"
        "import iacguard.parsers.terraform\n"
        "from iacguard.runner import Unit\n"
        "def cpu():\n"
        "    r = resource.getrusage(resource.RUSAGE_SELF)\n"
        "    return r.ru_utime + r.ru_stime\n"
        "start = cpu()\n"
        f"parse_unit(Unit({kind!r}, 'small', {SMALL[kind]!r}, ''))\n"
        "print(cpu() - start)\n"
    )
    return _median_of_3(code)


def _median_of_3(code: str) -> float:
    """The median of the number each of three fresh processes running ``code`` prints."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout)
        for _ in range(3)
    ]  # fmt: skip
    return sorted(runs)[1]


def pool_seconds(workers: int = 2, units: int = 40) -> float:
    """CPU seconds (this process's and the workers') that parsing small units in
    ``workers`` workers costs over parsing them here: the parsers are imported before
    the workers start, so that only starting, sending, receiving and stopping count."""
    code = (
        "import resource\n"
        "from iacguard.parsing import parse_unit\n"
        "from iacguard.runner import Unit, _Pool, parse_limited\n"
        "def cpu():\n"
        "    s, c = (resource.getrusage(w) for w in "
        "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
        "    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime\n"
        f"units = [Unit(k, 'small', t, '') for k, t in {list(SMALL.items())!r}] * {units // 2}\n"
        "for unit in units[:2]:\n"
        "    parse_unit(unit)\n"
        "start = cpu()\n"
        "for unit in units:\n"
        "    parse_limited(unit, parse_unit, 30.0, None)\n"
        "serial = cpu() - start\n"
        "start = cpu()\n"
        f"_Pool(parse_unit, {workers}, 30.0, None, None).run(units, float('inf'), 600.0)\n"
        "print(cpu() - start - serial)\n"
    )
    return _median_of_3(code)


def bytes_per_second(units: list, kind: str) -> float | None:
    """Bytes of ``kind`` parsed per CPU second, its parser imported already."""
    from iacguard.parsing import parse_unit
    from iacguard.runner import Unit

    chosen = [u for u in units if u.kind == kind]
    if not chosen:
        return None
    parse_unit(Unit(kind, "small", SMALL[kind], ""))
    start = time.process_time()
    for unit in chosen:
        parse_unit(unit)
    return sum(len(u.text) for u in chosen) / max(time.process_time() - start, 1e-9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument(
        "--inputs", action="store_true", help="only the model's inputs, one JSON line a corpus"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.inputs:
        for corpus in args.corpora:
            print(json.dumps(inputs(corpus.resolve())))
        return
    for kind in SMALL:
        print(f"import and first parse, {kind}: {import_seconds(kind):.3f} s CPU")
    print(f"workers (2, 40 small units): {pool_seconds():.3f} s CPU over parsing here")
    for corpus in args.corpora:
        print(f"{corpus.name}: {json.dumps(inputs(corpus))}")
        units = units_of(corpus)
        for kind in SMALL:
            rate = bytes_per_second(units, kind)
            if rate is not None:
                print(f"  {kind}: {rate / 1e3:,.0f} kB per CPU second")


if __name__ == "__main__":
    main()
