"""``--profile``: the CPU time of each phase of a scan, so a measurement starts from numbers.

CPU time, not wall time, so the figures mean the same on a loaded machine; the worker
processes' time counts too (it is added to this process's once they have stopped, which
they have by the end of the parsing phase).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

PHASES = ("replay", "discover", "read", "cache", "parse", "resolve", "check", "report")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children."""
    try:
        import resource
    except ImportError:  # Windows: this process only
        return time.process_time()
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Profile:
    """CPU seconds by phase; a phase may be entered several times (they add up)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = cpu_seconds()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + cpu_seconds() - started

    def render(self) -> str:
        """The phases in the order a scan runs them, then the rest of the process's time
        (starting Python, imports) and the total."""
        total = cpu_seconds()
        order = {name: index for index, name in enumerate(PHASES)}
        names = sorted(self.seconds, key=lambda n: (order.get(n.split()[0], len(order)), n))
        width = max(len(n) for n in [*names, "startup and imports"])
        lines = ["iacguard profile: CPU seconds by phase (worker processes included)"]
        lines += [f"  {name:<{width}}  {self.seconds[name]:8.3f}" for name in names]
        rest = total - sum(self.seconds.values())
        lines.append(f"  {'startup and imports':<{width}}  {rest:8.3f}")
        lines.append(f"  {'total':<{width}}  {total:8.3f}")
        return "\n".join(lines) + "\n"


def phase(profile: Profile | None, name: str) -> contextlib.AbstractContextManager[None]:
    """``profile.phase(name)``, or nothing when not profiling."""
    return profile.phase(name) if profile is not None else contextlib.nullcontext()
