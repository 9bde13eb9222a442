"""The one boundary check on a parse result: plain Python values only.

A parse result leaves the process that made it (to the main process from a worker, into
the cache), so it must hold nothing but the model's dataclasses, their containers and
built-in scalars. A decoder's own types (a string subclass carrying marks, a class made
inside a function) would fail to pickle, or tie the cache to the decoder's code. Checked
once here, rather than at every place a value is copied into the model.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

_SCALARS = (str, int, float, bool)


def plain(value: Any) -> Any:
    """``value`` with every scalar of a subclass of str/int/float/bool turned into the
    built-in type, every container rebuilt only where something inside changed, and
    dataclasses fixed in place. Anything else is a bug in a parser: TypeError."""
    return _Plain().value(value)


class _Plain:
    def __init__(self) -> None:
        self.done: dict[int, Any] = {}

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS or value is None:
            return value
        if kind is tuple or kind is list:
            items = [self.value(item) for item in value]
            if all(a is b for a, b in zip(items, value, strict=True)):
                return value
            return kind(items)
        if kind is dict:
            entries = {self.value(k): self.value(v) for k, v in value.items()}
            same = all(
                a is b and entries[a] is value[b] for a, b in zip(entries, value, strict=True)
            )
            return value if same and len(entries) == len(value) else entries
        if is_dataclass(value) and not isinstance(value, type):
            return self.dataclass(value)
        for scalar in (bool, str, int, float):  # bool first: it is an int
            if isinstance(value, scalar):
                return scalar(value)
        raise TypeError(f"a parse result holds a {kind.__module__}.{kind.__qualname__}")

    def dataclass(self, value: Any) -> Any:
        if id(value) in self.done:
            return value
        self.done[id(value)] = value
        for name in _field_names(value.__class__):
            current = getattr(value, name)
            kind = type(current)
            if kind in _SCALARS or current is None:
                continue  # most fields: checked without a call
            if kind is tuple and all(type(item) in _SCALARS for item in current):
                continue
            fixed = self.value(current)
            if fixed is not current:
                object.__setattr__(value, name, fixed)  # frozen ones too: made just now
        return value


@cache
def _field_names(kind: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))
