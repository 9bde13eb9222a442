"""Parsing work units: in this process, or in it and worker processes when there is
enough work to pay for starting them; each unit with a time limit.

A unit is one file's text, parsed on its own (resolution, which joins files, runs later in
the main process). Results come back in the order of the units whatever the order the
workers finish in, so a parallel scan reports exactly what a serial one does. A unit
that takes longer than the limit, or whose worker dies (killed, out of memory, a crash in
C code), becomes a ``Failure`` for that unit alone; the scan goes on. With ``jobs`` N,
N - 1 workers parse beside this process, which parses whenever each has its next unit:
its own results need not travel back and be read again (with two workers beside it
instead, the 5,000-file corpus took 11% more CPU time and 6% more wall time).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from iacguard import collector
from iacguard.errors import Error, internal
from iacguard.records import dataclass, field

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from iacguard.cache import Cache

DEFAULT_TIMEOUT = 30.0  # CPU seconds one file may take to parse
# A file blocked rather than computing (or in C code that holds off signals) is stopped
# after this many times its CPU limit in wall time.
WALL_FACTOR = 4
# Seconds all the parsing of one scan may take: a pull request of a thousand files each
# just under the per-file limit must not hold a CI job for hours.
DEFAULT_BUDGET = 600.0
# What parsing costs on one core, roughly: CPU seconds a worker spends importing a
# kind's parser (and parsing a first small file), and bytes a scan's parse phase gets
# through per CPU second (a unit read, parsed, built into the model and stored in the
# cache; ``--profile`` shows the phase). Imports measured with benchmarks/cost_model.py,
# 0.020 s for CloudFormation and 0.014 s for Terraform; rates with ``--profile --jobs 1``
# on the mixed 1,000- and 5,000-file corpora on 2026-12-04, after CloudFormation stopped
# building the properties no rule reads: 1.4-2.1 MB/s for CloudFormation and 295-375 kB/s
# for Terraform (a Terraform unit is a module directory: its files, their syntax joined,
# the module's cache entry).
IMPORT_SECONDS = {"cloudformation": 0.03, "terraform": 0.02}
BYTES_PER_SECOND = {"cloudformation": 2_000_000, "terraform": 330_000}
# What workers cost in wall time beyond sharing the parsing, on 2 cores: with them (made
# to), the mixed 1,000-file corpus took 1.63 s against 1.88 s without, for 30% more CPU
# time; the 5,000-file one 7.4 s against 9.5 s, for 20% more (medians of 3-5). Halving
# its parse phase would have saved 0.63 s and 3.2 s: the cost is 0.4 s and 1.1 s, more
# with more work (the results travel back and are read again; two processes on two cores
# slow each other). At 0.6 the first goes without workers, the second with them. Since
# this process parses beside one worker, not two: 1.39 s against 1.71 s (9% more CPU
# time, 19% less wall time: under POOL_SAVING, so still without) and 6.4 s against 8.0 s
# (8% more CPU time; medians of 6-8).
POOL_SECONDS = 0.6
# Workers are used only when they save this share of the time: the estimates are rough,
# and workers importing a parser at the same time contend with each other.
POOL_SAVING = 0.2


@dataclass(frozen=True, slots=True)
class Unit:
    """One file to parse: what it is parsed as, the name it is shown by, its text, and
    the cache key of its result."""

    kind: str
    file: str
    text: str
    key: str
    # CloudFormation parameter values (--parameters): the result depends on them.
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Failure:
    """A unit that produced no result, and why: an error whose file is the unit's."""

    error: Error


Parse = Callable[[Unit], Any]
Advance = Callable[[int], None]


def available_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run(
    units: Sequence[Unit],
    parse: Parse,
    *,
    jobs: int,
    timeout: float = DEFAULT_TIMEOUT,
    cache: Cache | None = None,
    advance: Advance | None = None,
    budget: float = DEFAULT_BUDGET,
) -> list[Any]:
    """Parse every unit; the result (or ``Failure``) of each, in the order given. Results
    are stored in ``cache``; failures are not. Units not started within ``budget``
    seconds are failures too."""
    deadline = time.monotonic() + budget
    workers = min(jobs, len(units))
    if workers > 1 and pool_pays(units, workers):
        return _Pool(parse, workers, timeout, cache, advance).run(units, deadline, budget)
    results = []
    for unit in units:
        if time.monotonic() > deadline:
            results.append(Failure(Error("limit", over_budget(budget))))
        else:
            results.append(parse_limited(unit, parse, timeout, cache))
        if advance:
            advance(1)
    return results


def over_budget(budget: float) -> str:
    return f"not parsed: the scan used up its {budget:g} s for parsing"


def _import_seconds(kind: str) -> float:
    return IMPORT_SECONDS.get(kind, IMPORT_SECONDS["terraform"])


def _seconds(unit: Unit) -> float:
    return len(unit.text) / BYTES_PER_SECOND.get(unit.kind, BYTES_PER_SECOND["terraform"])


def pool_pays(units: Sequence[Unit], workers: int) -> bool:
    """Whether workers finish sooner than this process alone would. Each worker imports
    the parsers it needs again, so a few files, or a little of a second kind, are
    parsed here."""
    serial, pooled = estimate(units, workers)
    return pooled + POOL_SECONDS < (1 - POOL_SAVING) * serial


def estimate(units: Sequence[Unit], workers: int) -> tuple[float, float]:
    """Seconds to parse ``units`` here, and with ``workers`` workers (starting them
    aside): the pool's schedule is played out with the cost estimates above."""
    serial = sum(map(_seconds, units)) + sum(map(_import_seconds, {u.kind for u in units}))
    waiting = _Waiting(units)
    clocks = [0.0] * workers
    imported: list[set[str]] = [set() for _ in range(workers)]
    current = [waiting.kinds[n % len(waiting.kinds)] for n in range(workers)]
    active = set(range(workers))
    while active:
        worker = min(active, key=clocks.__getitem__)
        elsewhere = {current[w] for w in active if w != worker}
        index = waiting.next(current[worker], imported[worker], elsewhere)
        if index is None:
            active.remove(worker)
            continue
        kind = units[index].kind
        if kind not in imported[worker]:
            imported[worker].add(kind)
            clocks[worker] += _import_seconds(kind)
        current[worker] = kind
        clocks[worker] += _seconds(units[index])
    return serial, max(clocks)


def parse_limited(unit: Unit, parse: Parse, timeout: float, cache: Cache | None) -> Any:
    """Parse one unit in this process, within the time limit where the platform lets a
    signal interrupt it (the main thread on Unix): ``timeout`` seconds of CPU time, so
    that a file passes or fails the same however loaded the machine is, and a backstop
    in wall time for one that blocks."""
    return _parse_and_store(unit, parse, timeout, cache)[0]


def _parse_and_store(
    unit: Unit, parse: Parse, timeout: float, cache: Cache | None
) -> tuple[Any, bytes | None]:
    """``parse_limited``'s result, and its cache entry's bytes when it was stored."""
    entry = None
    with collector.paused():  # a parse allocates many objects and frees few
        try:
            with _time_limit(timeout):
                result = parse(unit)
        except _TimeLimit as limit:
            result = Failure(Error("limit", limit.message))
        else:
            entry = cache.put_result(unit.key, result) if cache is not None else None
    collector.sweep()
    return result, entry


def timed_out(timeout: float) -> str:
    return f"took longer than {timeout * WALL_FACTOR:g} s to parse; skipped"


def out_of_cpu(timeout: float) -> str:
    return f"took more than {timeout:g} s of CPU time to parse; skipped"


class _TimeLimit(BaseException):
    """Raised by the timers; a BaseException so no parser's ``except Exception`` takes it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def cpu(signum: int, frame: object) -> None:
        raise _TimeLimit(out_of_cpu(seconds))

    def wall(signum: int, frame: object) -> None:
        raise _TimeLimit(timed_out(seconds))

    previous = signal.signal(signal.SIGPROF, cpu), signal.signal(signal.SIGALRM, wall)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])


# -- worker processes ------------------------------------------------------------------


def _serve(connection: Connection, parse: Parse, cache: Cache | None, timeout: float) -> None:
    """A worker: parse the units it is sent, one at a time, until told to stop; each
    within its CPU time (the main process keeps the wall-time backstop)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    collector.forked()
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, unit = message
        result, entry = _parse_and_store(unit, parse, timeout, cache)
        try:
            # A stored result goes back as its cache entry: that is already written, and
            # a pickle would cost as much again to write and more to read (dataclasses
            # restore their fields through a call of fields() each).
            connection.send((index, None, entry) if entry is not None else (index, result, None))
        except (OSError, ValueError):
            return
        except Exception as exc:  # a result that cannot be sent back
            failure = Failure(internal(None, "while sending the result back", exc))
            connection.send((index, failure, None))


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    connection: Connection
    index: int = -1
    started: float = 0.0
    kind: str = ""  # of the unit it was given last
    imported: set[str] = field(default_factory=set)  # the kinds of all it was given


@dataclass(slots=True)
class _Here:
    """This process, as one of the pool's parsers."""

    kind: str  # of the unit it parsed last
    imported: set[str] = field(default_factory=set)  # the kinds of all it parsed


class _Waiting:
    """The units not yet handed out, by kind. A worker keeps to the kinds whose parser it
    has imported, and takes up another only when no other worker is on it or there is
    enough of it left to repay the import."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = units
        self.queues: dict[str, deque[int]] = {}
        self.left: dict[str, float] = {}  # seconds of parsing left, by kind
        for index, unit in enumerate(units):
            self.queues.setdefault(unit.kind, deque()).append(index)
            self.left[unit.kind] = self.left.get(unit.kind, 0.0) + _seconds(unit)
        self.kinds = sorted(self.queues, key=lambda k: -self.left[k])  # the most work first

    def next(self, current: str, imported: set[str], elsewhere: set[str]) -> int | None:
        """The next unit for a worker that parsed ``current`` last and has imported the
        parsers of ``imported``, while other workers parse ``elsewhere``."""
        kinds = [current, *sorted(self.queues, key=lambda k: -self.left[k])]
        for kind in kinds:
            if self.queues[kind] and (
                kind == current
                or kind in imported
                or kind not in elsewhere
                or self.left[kind] > 2 * _import_seconds(kind)
            ):
                index = self.queues[kind].popleft()
                self.left[kind] -= _seconds(self.units[index])
                return index
        return None


class _Pool:
    def __init__(
        self, parse: Parse, size: int, timeout: float, cache: Cache | None, advance: Advance | None
    ) -> None:
        import multiprocessing

        # fork: workers start at once and share what this process has imported; only
        # Linux, where it is safe (this process runs no other threads).
        method = "fork" if sys.platform == "linux" else None
        self.context: Any = multiprocessing.get_context(method)
        self.parse = parse
        self.size = size
        self.timeout = timeout
        self.cache = cache
        self.advance = advance
        self.entries: list[tuple[int, bytes]] = []  # received, not yet read back

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_serve, args=(child, self.parse, self.cache, self.timeout), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def run(self, units: Sequence[Unit], deadline: float, budget: float) -> list[Any]:
        """Parse ``units`` in ``size`` processes: this one and ``size - 1`` workers. This
        process parses a unit of its own whenever it has handed every idle worker its
        next one; its results need not be sent and read back."""
        from multiprocessing.connection import wait

        results: list[Any] = [Failure(Error("limit", over_budget(budget)))] * len(units)
        waiting = _Waiting(units)
        workers = [self._start() for _ in range(self.size - 1)]
        busy: list[_Worker] = []
        here = _Here(waiting.kinds[-1])  # the least work first: a worker has the most
        try:
            for number, worker in enumerate(list(workers)):  # spread the kinds at first
                index = waiting.next(waiting.kinds[number % len(waiting.kinds)], set(), set())
                if index is not None:
                    busy.append(self._send(workers, worker, index, units))
            while True:
                parsed_here = self._parse_here(
                    here, waiting=waiting, busy=busy, units=units, results=results, until=deadline
                )
                if not busy:
                    if parsed_here:
                        continue
                    break
                first = min(w.started for w in busy) + self.timeout * WALL_FACTOR
                handles = [w.connection for w in busy] + [w.process.sentinel for w in busy]
                wait(handles, timeout=0 if parsed_here else max(0.0, first - time.monotonic()))
                for worker in list(busy):
                    outcome = self._collect(worker, results, units)
                    if outcome is None:
                        continue
                    busy.remove(worker)
                    if self.advance:
                        self.advance(1)
                    elsewhere = {w.kind for w in busy} | {here.kind}
                    following = waiting.next(worker.kind, worker.imported, elsewhere)
                    if following is not None and time.monotonic() <= deadline:
                        busy.append(self._send(workers, worker, following, units))
                    self._read_back(results, units)  # once the worker has its next unit
        finally:
            for worker in workers:
                self._stop(worker)
        return results

    def _parse_here(
        self,
        here: _Here,
        *,
        waiting: _Waiting,
        busy: list[_Worker],
        units: Sequence[Unit],
        results: list[Any],
        until: float,
    ) -> bool:
        """Parse the next unit for this process, if one is left; whether it did."""
        if time.monotonic() > until:
            return False
        index = waiting.next(here.kind, here.imported, {w.kind for w in busy})
        if index is None:
            return False
        here.kind = units[index].kind
        here.imported.add(here.kind)
        results[index] = parse_limited(units[index], self.parse, self.timeout, self.cache)
        if self.advance:
            self.advance(1)
        return True

    def _send(
        self, workers: list[_Worker], worker: _Worker, index: int, units: Sequence[Unit]
    ) -> _Worker:
        """Hand a unit to a worker, or to a new one when that one is gone; the worker
        that has it."""
        for _ in range(2):
            if worker.process.is_alive():
                try:
                    worker.connection.send((index, units[index]))
                except OSError:
                    pass
                else:
                    worker.index, worker.started = index, time.monotonic()
                    worker.kind = units[index].kind
                    worker.imported.add(worker.kind)
                    return worker
            self._stop(worker)
            workers.remove(worker)
            worker = self._start()
            workers.append(worker)
        raise OSError("cannot start a worker process")

    def _collect(self, worker: _Worker, results: list[Any], units: Sequence[Unit]) -> bool | None:
        """None: still working. True: a result came back. False: the worker is lost (it
        died, or ran out of time and was killed); its unit has a Failure."""
        try:
            if worker.connection.poll():
                index, result, entry = worker.connection.recv()
                if entry is not None:
                    self.entries.append((index, entry))
                results[index] = result
                return True
        except (EOFError, OSError):
            pass
        else:
            if worker.process.is_alive():
                if time.monotonic() - worker.started < self.timeout * WALL_FACTOR:
                    return None
                results[worker.index] = Failure(Error("limit", timed_out(self.timeout)))
                worker.process.kill()
                return False
        worker.process.join(1)
        code = worker.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        stopped = f"the parser process stopped unexpectedly ({how}); skipped"
        results[worker.index] = Failure(Error("internal", stopped))
        return False

    def _read_back(self, results: list[Any], units: Sequence[Unit]) -> None:
        """The results that came back as cache entries, read."""
        for index, entry in self.entries:
            result = self.cache.decode(units[index].key, entry) if self.cache else None
            if result is None:
                unreadable = "the parser process's result could not be read back"
                result = Failure(Error("internal", unreadable))
            results[index] = result
        self.entries.clear()

    @staticmethod
    def _stop(worker: _Worker) -> None:
        with contextlib.suppress(OSError, ValueError):
            if worker.process.is_alive():
                worker.connection.send(None)
        worker.connection.close()
        worker.process.join(0.5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
