"""What the iacguard rule pack adds to a cfn-lint run: whole processes, alternating.

    python3 benchmarks/cfnlint_overhead.py [--runs N] [TEMPLATE_OR_DIR ...]

Runs cfn-lint on the CloudFormation fixtures (or the given templates and folders) without
and with ``-a iacguard.cfnlint``, alternating so that both see the same machine state,
after one warm-up run of each; prints the median wall time and the median CPU time
(user + system, which other load on the machine disturbs less) of each, and the ratios.
The processes run this checkout's iacguard (its root goes first on PYTHONPATH) with the
interpreter running this script, calling what the ``cfn-lint`` console script calls.

On a shared or virtual machine the medians of two sessions can differ by more than the
pack costs. Counting instructions is deterministic; one run of each under callgrind:

    PYTHONHASHSEED=0 PYTHONPATH=. valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python3 -c "import sys; from cfnlint.runner import main; sys.exit(main())" \
        TEMPLATES... [-a iacguard.cfnlint]       # compare the "Collected" totals
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = (".yaml", ".yml", ".json", ".template")
CFN_LINT = [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]


def templates(paths: list[str]) -> list[str]:
    found: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix in SUFFIXES)
        else:
            found.append(str(path))
    return found


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def report(name: str, plain: list[float], with_pack: list[float]) -> None:
    plain_median = statistics.median(plain)
    pack_median = statistics.median(with_pack)
    added = pack_median - plain_median
    paired = statistics.median(p - q for p, q in zip(with_pack, plain, strict=True))
    print(
        f"{name:<4} median: cfn-lint {plain_median * 1000:7.1f} ms, "
        f"with the pack {pack_median * 1000:7.1f} ms, "
        f"added {added * 1000:6.1f} ms ({added / plain_median:+.1%}, "
        f"ratio {pack_median / plain_median:.3f}); "
        f"median of the pairs' differences {paired * 1000:6.1f} ms ({paired / plain_median:+.1%})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each (default: 15)")
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "fixtures" / "cloudformation")])
    args = parser.parse_args()

    files = templates(args.paths)
    if not files:
        print("no templates found", file=sys.stderr)
        return 2
    pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}
    plain = [*CFN_LINT, *files]
    with_pack = [*CFN_LINT, *files, "-a", "iacguard.cfnlint"]

    timed(plain, env)
    timed(with_pack, env)
    plain_runs: list[tuple[float, float]] = []
    pack_runs: list[tuple[float, float]] = []
    for run in range(args.runs):
        if run % 2:  # which goes first alternates too, so neither always follows the other
            pack_runs.append(timed(with_pack, env))
            plain_runs.append(timed(plain, env))
        else:
            plain_runs.append(timed(plain, env))
            pack_runs.append(timed(with_pack, env))

    print(f"{len(files)} templates, {args.runs} runs each, alternating, after one warm-up each")
    report("wall", [wall for wall, _ in plain_runs], [wall for wall, _ in pack_runs])
    report("cpu", [cpu for _, cpu in plain_runs], [cpu for _, cpu in pack_runs])
    return 0


if __name__ == "__main__":
    sys.exit(main())
