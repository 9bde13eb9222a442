"""Parsing a scan's files: each once, from the cache when an identical file was parsed
before, else beside worker processes when there is enough to do (``iacguard.runner``).
The formats' readers say what to parse; this decides where and when."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.cache import Cache, default_directory
from iacguard.errors import Error, internal
from iacguard.formats import for_kind
from iacguard.limits import nested_too_deeply
from iacguard.paths import display_path
from iacguard.profile import phase
from iacguard.records import dataclass, replace
from iacguard.runner import (
    DEFAULT_BUDGET,
    DEFAULT_TIMEOUT,
    Failure,
    Unit,
    available_cores,
    parse_limited,
    run,
)

if TYPE_CHECKING:
    from iacguard.discover import Discovery
    from iacguard.profile import Profile
    from iacguard.progress import Progress


@dataclass(slots=True)
class ScanOptions:
    """How a scan runs; never what it finds."""

    jobs: int | None = None  # processes that parse (this one too); None: the cores available
    cache: bool = True
    cache_directory: Path | None = None  # None: the user cache directory
    timeout: float = DEFAULT_TIMEOUT  # CPU seconds one file may take to parse
    budget: float = DEFAULT_BUDGET  # seconds all the parsing of the scan may take
    prefilter: bool = True  # off only to test that it changes no finding
    progress: Progress | None = None
    profile: Profile | None = None  # --profile: CPU time by phase
    discovery: Discovery | None = None  # what discovering the paths found, if done already


class Scheduler:
    """Every file parsed once, before the results are put together: from the cache when
    an identical file was parsed before, else beside worker processes when there is enough
    to do; a file that resolution asks for and that was not parsed ahead (a module
    outside the scanned paths, a variables file) is parsed when asked for. What the
    formats' readers see of the engine (``iacguard.formats.Scheduler``)."""

    def __init__(self, options: ScanOptions, max_bytes: int, named: set[Path]) -> None:
        self.max_bytes = max_bytes
        self.named = named  # the paths the scan was given: always read
        self.cache = Cache(options.cache_directory or default_directory())
        if not options.cache:
            self.cache = Cache.disabled()
        self.jobs = options.jobs or available_cores()
        self.timeout = options.timeout
        self.budget = options.budget
        self.progress = options.progress
        self.profile = options.profile
        # (kind, path, parameter values) → result: one file may be parsed with two sets of
        # parameter values (a nested stack, with its parent's and on its own)
        self.results: dict[tuple[str, Path, tuple[tuple[str, str], ...]], Any] = {}
        self.claimed: set[str] = set()

    def unit(
        self, kind: str, path: Path, text: str, parameters: tuple[tuple[str, str], ...] = ()
    ) -> Unit:
        file = display_path(path)
        key = Cache.key(kind, file, text, parameters) if self.cache.enabled else ""
        return Unit(kind, file, text, key, parameters)

    def ahead(self, kind: str, path: Path, parameters: tuple[tuple[str, str], ...] = ()) -> Any:
        return self.results.pop((kind, path, parameters), None)

    def now(self, unit: Unit) -> Any:
        cached = self._cached(unit)
        if cached is not None:
            return cached
        cache = self.cache if unit.key else None  # a unit without a key is not cached
        return _result(unit, parse_limited(unit, parse_unit, self.timeout, cache))

    def parse(self, units: list[tuple[Unit, Path]]) -> None:
        if self.progress is not None:
            self.progress.add(len(units))
        missed: list[int] = []
        with phase(self.profile, "cache"):
            for index, (unit, path) in enumerate(units):
                cached = self._cached(unit)
                if cached is None:
                    missed.append(index)
                else:
                    self.results[unit.kind, path, unit.parameters] = cached
        if self.progress is not None:
            self.progress.advance(len(units) - len(missed))
        for form in dict.fromkeys(for_kind(units[index][0].kind) for index in missed):
            form.before_parsing()  # before any worker starts: forked workers share it
        # profiled, each format is parsed on its own (workers, budget), to be timed alone
        batches = {"": missed}
        if self.profile is not None:
            batches = {}
            for index in missed:
                batches.setdefault(units[index][0].kind, []).append(index)
        for kind, batch in batches.items():
            with phase(self.profile, f"parse {kind}"):
                parsed = run(
                    [units[i][0] for i in batch],
                    parse_unit,
                    jobs=self.jobs,
                    timeout=self.timeout,
                    cache=self.cache,
                    advance=self.progress.advance if self.progress is not None else None,
                    budget=self.budget,
                )
            for index, outcome in zip(batch, parsed, strict=True):
                unit, path = units[index]
                self.results[unit.kind, path, unit.parameters] = _result(unit, outcome)

    def _cached(self, unit: Unit) -> Any:
        cached = self.cache.get_result(unit.key) if unit.key else None
        if cached is None or not for_kind(unit.kind).is_result(cached):
            return None
        return cached


def parse_unit(unit: Unit) -> Any:
    """Parse one file's text; run in worker processes, so it catches what a parser
    raises: one bad file must not stop the scan."""
    form = for_kind(unit.kind)
    try:
        return form.parse(unit)
    except RecursionError:
        return form.failed(unit, Error("limit", nested_too_deeply(), unit.file))
    except Exception as exc:
        return form.failed(unit, internal(unit.file, "while parsing", exc))


def _result(unit: Unit, outcome: Any) -> Any:
    """A unit's result; a Failure (time limit, lost worker) as an error of its file."""
    if not isinstance(outcome, Failure):
        return outcome
    return for_kind(unit.kind).failed(unit, replace(outcome.error, file=unit.file))
