"""Parse results as JSON, for the cache: reading an entry can build only plain values and
iacguard's own dataclasses, never run code (unlike a pickle).

An entry is two JSON documents on two lines: a header (the format, the entry's key, the
dataclasses it uses by module and name) and the value. In the value, lists are arrays,
and everything else that is not a JSON scalar is a one-member object:

- ``{"t": [...]}`` a tuple, ``{"d": [k1, v1, k2, v2, ...]}`` a dict (keys of any type);
- ``{"3": [...]}`` an instance of the header's fourth class, its ``__init__`` fields in
  order (``__post_init__`` recomputes the others);
- ``{"s": 2}`` the header's third long string: a long string is stored once however often
  the value holds it (a YAML alias repeats one string in every resource; written out each
  time, 180 KB of template became a 34 MB entry).

Only dataclasses defined in iacguard's own modules can be named, so any field a module
adds is stored without this module knowing it. An entry that is malformed in any way (not
JSON, a class that is not one of ours, the wrong number of fields, another entry's key)
is rejected as a whole: the caller treats it as a miss.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

FORMAT = 2
LONG_STRING = 256  # characters from which a string is stored once, in the header


class Invalid(Exception):
    """An entry that is not one this module wrote for this key."""


def dumps(key: str, value: Any) -> bytes:
    """The entry for ``value``; TypeError for a value of a type it cannot hold."""
    classes: dict[type, int] = {}
    strings: dict[str, int] = {}
    body = json.dumps(_plain(value, classes, strings), separators=(",", ":"), allow_nan=True)
    names = [f"{cls.__module__}:{cls.__qualname__}" for cls in classes]
    header = json.dumps([FORMAT, key, names, list(strings)], separators=(",", ":"))
    return f"{header}\n{body}".encode("utf-8", "surrogatepass")


def loads(key: str, data: bytes) -> Any:
    """The value of an entry written by ``dumps`` for ``key``; Invalid for anything else."""
    try:
        text = data.decode("utf-8", "surrogatepass")
        header, _, body = text.partition("\n")
        version, written_for, names, strings = json.loads(header)
        if version != FORMAT or written_for != key or not isinstance(names, list):
            raise Invalid("not an entry of this format and key")
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise Invalid("a malformed string table")
        builders: dict[str, Callable[[Any], Any]] = {
            "t": tuple,
            "d": _dict,
            "s": lambda index: _string(strings, index),
        }
        for index, name in enumerate(names):
            builders[str(index)] = _builder(name)
        return json.loads(body, object_hook=lambda o: _build(o, builders))
    except Invalid:
        raise
    except Exception as exc:  # ValueError, TypeError, KeyError… : whatever the bytes are
        raise Invalid(f"{type(exc).__name__}: {exc}") from None


def _plain(value: Any, classes: dict[type, int], strings: dict[str, int]) -> Any:
    if isinstance(value, str):
        if len(value) < LONG_STRING:
            return value
        return {"s": strings.setdefault(value, len(strings))}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list):
        return [_plain(v, classes, strings) for v in value]
    if isinstance(value, tuple):
        return {"t": [_plain(v, classes, strings) for v in value]}
    if isinstance(value, dict):
        flat = []
        for k, v in value.items():
            flat.append(_plain(k, classes, strings))
            flat.append(_plain(v, classes, strings))
        return {"d": flat}
    cls: Any = type(value)
    names = _init_fields(cls)
    if names is None:
        raise TypeError(f"cannot store a {cls.__module__}.{cls.__qualname__}")
    index = classes.setdefault(cls, len(classes))
    return {str(index): [_plain(getattr(value, n), classes, strings) for n in names]}


@cache
def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields ``cls(*values)`` takes, for one of iacguard's dataclasses; else None."""
    if not (dataclasses.is_dataclass(cls) and cls.__module__.startswith("iacguard.")):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


@cache
def _builder(name: Any) -> Callable[[Any], Any]:
    """What builds an instance of the class named ``module:qualname`` from its fields."""
    if not isinstance(name, str):
        raise Invalid("a class name that is not a string")
    module_name, _, qualname = name.partition(":")
    # __main__ runs the command line when imported: never a module an entry may name
    if (
        not module_name.startswith("iacguard.")
        or "__main__" in module_name.split(".")
        or not qualname.isidentifier()
    ):
        raise Invalid(f"not one of iacguard's classes: {name}")
    module = sys.modules.get(module_name) or import_module(module_name)
    cls = getattr(module, qualname, None)
    if not isinstance(cls, type) or cls.__module__ != module_name:
        raise Invalid(f"not one of iacguard's classes: {name}")
    fields = _init_fields(cls)
    if fields is None:
        raise Invalid(f"not one of iacguard's dataclasses: {name}")
    count = len(fields)

    def build(values: Any) -> Any:
        if type(values) is not list or len(values) != count:
            raise Invalid(f"{name} with the wrong fields")
        return cls(*values)

    return build


def _string(strings: list[str], index: Any) -> str:
    if type(index) is not int or not 0 <= index < len(strings):
        raise Invalid("a string that is not in the table")
    return strings[index]


def _dict(flat: Any) -> dict[Any, Any]:
    if type(flat) is not list or len(flat) % 2:
        raise Invalid("a malformed mapping")
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _build(obj: dict[str, Any], builders: dict[str, Callable[[Any], Any]]) -> Any:
    if len(obj) != 1:
        raise Invalid("an object that is not a tagged value")
    ((tag, value),) = obj.items()
    return builders[tag](value)
