"""Time iacguard against the parse floor and checkov, side by side, on generated corpora.

    python3 benchmarks/run.py --sizes 100 1000 5000 --repeats 3

For each size: generate a corpus (``generate_corpus.py``, cached under ``--work``), then
run, as whole processes, alternating their order from one repeat to the next:

- floor:   ``parse_floor.py`` (import python-hcl2 and cfn-lint's decoder, parse every file)
- cold:    ``iacguard check`` with an empty cache directory
- warm:    ``iacguard check`` again with the cache filled (no file changed)
- checkov: checkov restricted to the IAM checks that match iacguard's rules, from its own
           virtualenv (``--checkov``, ``$CHECKOV``, default ``/work/checkov-venv/bin/checkov``)

iacguard and the floor run in ``--python`` (default: this interpreter) with this checkout
first on ``PYTHONPATH``.

and print the medians and the ratios the speed goals are stated in, in wall time and in
CPU time (user + system of the process and of the children it waited for: the workers).
The machine may be shared: CPU time is what the load changes least. Peak memory is the
largest sum of the resident memory of a run's processes (workers included), sampled.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# checkov's checks for what iacguard's rules find (see README.md here).
CHECKOV_CHECKS = "CKV_AWS_1,CKV_AWS_40,CKV_AWS_49,CKV_AWS_62,CKV_AWS_63,CKV_AWS_274,CKV2_AWS_21"
DEFAULT_CHECKOV = os.environ.get("CHECKOV", "/work/checkov-venv/bin/checkov")
TOOLS = ("floor", "cold", "warm", "checkov")


def commands(corpus: Path, checkov: str | None, python: str) -> dict[str, list[str]]:
    iacguard = [python, "-m", "iacguard", "check", ".", "--format", "json"]
    found = {
        "floor": [python, str(HERE / "parse_floor.py"), "."],
        "cold": iacguard,
        "warm": iacguard,
    }
    if checkov:
        found["checkov"] = [
            checkov, "-d", ".", "--framework", "terraform", "cloudformation",
            "--check", CHECKOV_CHECKS, "--quiet", "--compact", "-o", "json", "--skip-download",
        ]  # fmt: skip
    return found


class Sampler(threading.Thread):
    """The peak of the summed resident memory of a process and its descendants, and of
    their summed proportional memory (PSS: a page shared by n processes, as the forked
    workers share their parent's, counts 1/n in each)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_proportional = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            resident, proportional = tree_memory(self.pid)
            self.peak = max(self.peak, resident)
            self.peak_proportional = max(self.peak_proportional, proportional)

    def stop(self) -> tuple[int, int]:
        self.stopped.set()
        self.join()
        return self.peak, self.peak_proportional


def tree_memory(root: int) -> tuple[int, int]:
    """Resident and proportional bytes of ``root`` and every process below it (Linux
    /proc)."""
    parents: dict[int, int] = {}
    sizes: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            process = Path("/proc") / entry.name
            fields = (process / "stat").read_text().rsplit(")", 1)[1].split()
            resident = int((process / "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        parents[int(entry.name)] = int(fields[1])
        sizes[int(entry.name)] = resident
    total, wanted = 0, {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    proportional = 0
    for pid in wanted:
        total += sizes.get(pid, 0)
        proportional += _proportional(pid)
    return total, proportional


def _proportional(pid: int) -> int:
    try:
        with Path(f"/proc/{pid}/smaps_rollup").open(encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def timed(
    command: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, float, tuple[int, int]]:
    """Wall seconds, CPU seconds and peak memory (resident, proportional; bytes) of one
    whole-process run."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    sampler = Sampler(process.pid)
    sampler.start()
    # wait4: this child's own usage, its waited-for children's included
    _, _, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = 0  # reaped above; Popen must not wait for it again
    return elapsed, usage.ru_utime + usage.ru_stime, sampler.stop()


def measure(
    corpus: Path,
    *,
    repeats: int,
    checkov: str | None,
    checkov_repeats: int,
    python: str,
    warm_repeats: int,
) -> dict:
    # As installed by pip: bytecode compiled and used. Some machines set
    # PYTHONDONTWRITEBYTECODE, which would charge every run with compiling every module.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "iacguard")], check=False)
    tools = commands(corpus, checkov, python)
    warm_cache = Path(tempfile.mkdtemp(prefix="iacguard-warm-"))
    subprocess.run(
        tools["warm"], cwd=corpus, env={**env, "IACGUARD_CACHE_DIR": str(warm_cache)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    measured = Measured(tools)
    order = list(tools)
    for repeat in range(repeats):
        for name in order[repeat % len(order) :] + order[: repeat % len(order)]:
            if name == "checkov" and repeat >= checkov_repeats:
                continue
            # a warm scan takes 0.05-0.1 s, where the machine's noise is a third of it:
            # several in a row, each repeat
            runs = -(-warm_repeats // repeats) if name == "warm" else 1
            for _ in range(runs):
                run_tool(name, tools[name], corpus, env, warm_cache=warm_cache, measured=measured)
    shutil.rmtree(warm_cache, ignore_errors=True)
    return {
        "median": {k: statistics.median(v) for k, v in measured.times.items() if v},
        "cpu": {k: statistics.median(v) for k, v in measured.cpu.items() if v},
        "memory": measured.memory,
        "proportional": measured.proportional,
    }


class Measured:
    """Each tool's wall and CPU times, and its peak memory (RSS, PSS) over its runs."""

    def __init__(self, tools: dict[str, list[str]]) -> None:
        self.times: dict[str, list[float]] = {name: [] for name in tools}
        self.cpu: dict[str, list[float]] = {name: [] for name in tools}
        self.memory: dict[str, int] = {name: 0 for name in tools}
        self.proportional: dict[str, int] = {name: 0 for name in tools}


def run_tool(
    name: str,
    command: list[str],
    corpus: Path,
    env: dict[str, str],
    *,
    warm_cache: Path,
    measured: Measured,
) -> None:
    """One run of one tool, its measurements added to ``measured``."""
    run_env = dict(env)
    cold_cache = None
    if name == "cold":
        cold_cache = Path(tempfile.mkdtemp(prefix="iacguard-cold-"))
        run_env["IACGUARD_CACHE_DIR"] = str(cold_cache)
    elif name == "warm":
        run_env["IACGUARD_CACHE_DIR"] = str(warm_cache)
    seconds, cpu_seconds, (peak, peak_proportional) = timed(command, corpus, run_env)
    measured.times[name].append(seconds)
    measured.cpu[name].append(cpu_seconds)
    measured.memory[name] = max(measured.memory[name], peak)
    measured.proportional[name] = max(measured.proportional[name], peak_proportional)
    if cold_cache:
        shutil.rmtree(cold_cache, ignore_errors=True)
    print(
        f"  {corpus.name} {name:<8} {seconds:7.2f} s wall {cpu_seconds:7.2f} s CPU "
        f"{peak / 2**20:7.0f} MB ({peak_proportional / 2**20:.0f} MB PSS)",
        flush=True,
    )


def corpus_of(work: Path, size: str, seed: int) -> Path:
    """The corpus for ``N`` or ``KIND:N`` (terraform or cloudformation only) files."""
    kind, _, files = size.rpartition(":")
    kind = kind or "mixed"
    corpus = work / f"corpus-{kind}-{files}-{seed}"
    if not corpus.is_dir():
        subprocess.run(
            [sys.executable, str(HERE / "generate_corpus.py"), str(corpus), "--files", files,
             "--seed", str(seed), "--kind", kind],
            check=True,
        )  # fmt: skip
    return corpus


def model_inputs(corpus: Path) -> str:
    """What the scheduler's cost model decides from for a cold scan of ``corpus``, and
    what it decides (``cost_model.py``), as one JSON line."""
    done = subprocess.run(
        [sys.executable, str(HERE / "cost_model.py"), "--inputs", str(corpus)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip() or f"(not available: {done.stderr.strip()[-200:]})"


def size_mb(corpus: Path) -> float:
    return sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6


def table(rows: list[tuple[str, float, dict]], measure: str) -> str:
    """The figures of one measure ("median": wall seconds, "cpu": CPU seconds)."""
    head = (
        "| corpus (files) | MB | parse floor | iacguard cold | iacguard warm | checkov "
        "| checkov / cold | cold / floor | checkov / warm | peak memory cold (RSS / PSS) |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for files, megabytes, result in rows:
        m = result[measure]
        checkov = m.get("checkov")
        versus_cold = f"{checkov / m['cold']:.1f}x" if checkov else "-"
        versus_warm = f"{checkov / m['warm']:.0f}x" if checkov else "-"
        shown = f"{checkov:.1f} s" if checkov else "-"
        lines.append(
            f"| {files} | {megabytes:.1f} | {m['floor']:.2f} s | {m['cold']:.2f} s "
            f"| {m['warm']:.2f} s | {shown} | {versus_cold} | {m['cold'] / m['floor']:.2f} "
            f"| {versus_warm} | {result['memory']['cold'] / 2**20:.0f} MB "
            f"/ {result['proportional']['cold'] / 2**20:.0f} MB |"
        )
    return head + "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=["terraform:100", "cloudformation:80", "100", "1000", "5000"],
        help="files per corpus: N (mixed) or terraform:N, cloudformation:N",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each tool (median)")
    parser.add_argument(
        "--warm-repeats", type=int, default=15, help="warm scans (median), a few each repeat"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "iacguard-bench")
    parser.add_argument("--checkov", default=DEFAULT_CHECKOV, help="checkov executable")
    parser.add_argument("--no-checkov", action="store_true", help="leave checkov out")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter that runs iacguard and the floor (default: this one); a "
        "virtualenv holding iacguard's dependencies starts as a user's install does",
    )
    parser.add_argument(
        "--checkov-repeats", type=int, help="runs of checkov (default: --repeats); it is slow"
    )
    args = parser.parse_args()
    checkov = None if args.no_checkov else shutil.which(args.checkov) or None
    if not args.no_checkov and checkov is None:
        parser.error(f"checkov not found at {args.checkov}; see benchmarks/README.md")
    rows = []
    for size in args.sizes:
        corpus = corpus_of(args.work, size, args.seed)
        result = measure(
            corpus,
            repeats=args.repeats,
            checkov=checkov,
            checkov_repeats=args.checkov_repeats or args.repeats,
            python=args.python,
            warm_repeats=max(args.warm_repeats, args.repeats),
        )
        result["model"] = model_inputs(corpus)
        rows.append((size, size_mb(corpus), result))
    print()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(
        f"{os.cpu_count()} cores, load {load}; medians of {args.repeats} runs, alternating "
        f"(warm: {max(args.warm_repeats, args.repeats)})"
    )
    print(f"iacguard and the floor run in {args.python}")
    print("\nwall time\n")
    print(table(rows, "median"))
    print("\nCPU time (user + system, workers included)\n")
    print(table(rows, "cpu"))
    for files, _, result in rows:
        memory = ", ".join(
            f"{k} {v / 2**20:.0f} MB ({result['proportional'][k] / 2**20:.0f} MB PSS)"
            for k, v in result["memory"].items()
        )
        print(f"peak memory at {files} files: {memory}")
    for files, _, result in rows:
        print(f"cost model inputs at {files} files: {result['model']}")


if __name__ == "__main__":
    main()
