"""Parse results as JSON, for the cache: reading an entry can build only plain values and
iacguard's own dataclasses, never run code (unlike a pickle).

An entry is two JSON documents on two lines: a header (the format, the entry's key, the
dataclasses it uses by module and name, its strings of six characters or more) and the
value. In the value, lists are arrays, and everything else that is not a JSON scalar is
a one-member object:

- ``{"t": [...]}`` a tuple, ``{"d": [k1, v1, k2, v2, ...]}`` a dict (keys of any type);
- ``{"s": 2}`` the header's third string (each is written once, however often used);
- ``{"3": [...]}`` an instance of the header's fourth class, its ``__init__`` fields in
  order (``__post_init__`` recomputes the others).

Only dataclasses defined in iacguard's own modules can be named, so any field a module
adds is stored without this module knowing it. An entry that is malformed in any way (not
JSON, a class that is not one of ours, the wrong number of fields, a field whose value
is not of its declared type, another entry's key) is rejected as a whole: the caller
treats it as a miss.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache
from importlib import import_module
from itertools import chain
from operator import attrgetter
from typing import Any

from iacguard.records import fields, is_record

FORMAT = 2
# Characters from which a string is stored once, in the header's table, and referred to
# by position. Its reader then holds one string object for all its uses: a result
# repeats its file's name in every location, a Terraform one its names in every
# reference; written out each time, they were 835,000 strings (64 MB) in the main
# process at 5,000 files where 167,000 are left, for a fifth more time reading and
# writing. And a YAML alias repeats one long string in every resource (180 KB of
# template became a 34 MB entry when each was written out).
SHARED_STRING = 6


class Invalid(Exception):
    """An entry that is not one this module wrote for this key."""


def dumps(key: str, value: Any) -> bytes:
    """The entry for ``value``; TypeError for a value of a type it cannot hold."""
    classes: _Classes = {}
    strings: _Strings = {}
    plain = _plain(value, classes, strings)  # a value that holds itself: RecursionError here
    # so json need not look for cycles (a third of its time: every list and dict noted)
    body = json.dumps(plain, separators=(",", ":"), allow_nan=True, check_circular=False)
    names = [f"{cls.__module__}:{cls.__qualname__}" for cls in classes]
    header = json.dumps([FORMAT, key, names, list(strings)], separators=(",", ":"))
    return f"{header}\n{body}".encode("utf-8", "surrogatepass")


# Every empty tuple of an entry, written from one object (a Terraform location's path).
_EMPTY_TUPLE: dict[str, list[Any]] = {"t": []}
# The strings of an entry's table, each with its reference (one dict, written wherever
# the string is).
_Strings = dict[str, dict[str, int]]
# The dataclasses of an entry, in the order of the header's names: each with its tag (its
# index as text) and what gets its fields' values.
_Classes = dict[type, tuple[str, Callable[[Any], tuple[Any, ...]]]]


def loads(key: str, data: bytes) -> Any:
    """The value of an entry written by ``dumps`` for ``key``; Invalid for anything else."""
    try:
        text = data.decode("utf-8", "surrogatepass")
        header, _, body = text.partition("\n")
        version, written_for, names, strings = json.loads(header)
        if version != FORMAT or written_for != key or not isinstance(names, list):
            raise Invalid("not an entry of this format and key")
        if not isinstance(strings, list) or not all(type(s) is str for s in strings):
            raise Invalid("a malformed string table")
        builders: dict[str, Callable[[Any], Any]] = {"t": tuple, "d": _dict}
        for index, name in enumerate(names):
            builders[str(index)] = _builder(name)
        count = len(strings)

        def build(pairs: list[tuple[str, Any]]) -> Any:  # each tagged value: a call each
            if len(pairs) != 1:
                raise Invalid("an object that is not a tagged value")
            tag, value = pairs[0]
            if tag == "s":  # the commonest: one of the table's strings
                if type(value) is not int or not 0 <= value < count:
                    raise Invalid("a string that is not in the table")
                return strings[value]
            return builders[tag](value)

        # the pairs, not a dict made of them: an entry holds hundreds of thousands
        return json.loads(body, object_pairs_hook=build)
    except Invalid:
        raise
    except Exception as exc:  # ValueError, TypeError, KeyError… : whatever the bytes are
        raise Invalid(f"{type(exc).__name__}: {exc}") from None


def _plain(value: Any, classes: _Classes, strings: _Strings) -> Any:
    """``value`` as JSON: the entry point of ``_items``, which does most of the work,
    and what it leaves: dicts, a dataclass met the first time, subclasses of plain
    types."""
    kind: Any = type(value)
    if kind is dict:
        return {"d": _items(chain.from_iterable(value.items()), classes, strings)}
    known = classes.get(kind)
    if known is None:
        values = _field_values(kind)
        if values is None:
            if kind in (str, list, tuple, int, bool, float) or value is None:
                return _items((value,), classes, strings)[0]  # the kinds _items writes
            return _plain_other(value, classes, strings)
        known = classes[kind] = (str(len(classes)), values)
    return {known[0]: _items(known[1](value), classes, strings)}


def _items(values: Any, classes: _Classes, strings: _Strings) -> list[Any]:
    """``_plain`` of each value: scalars, lists, tuples and the dataclasses met before
    without a call of it (a cold scan stores every parse result, hundreds of thousands
    of values)."""
    items: list[Any] = []
    append = items.append
    for value in values:
        kind = type(value)
        if kind is str:
            if len(value) < SHARED_STRING:
                append(value)
            else:
                append(strings.get(value) or _shared(value, strings))
        elif value is None or kind is int or kind is bool or kind is float:
            append(value)
        elif kind is tuple:
            append({"t": _items(value, classes, strings)} if value else _EMPTY_TUPLE)
        elif kind is list:
            append(_items(value, classes, strings))
        else:
            known = classes.get(kind)
            if known is None:
                append(_plain(value, classes, strings))
            else:
                append({known[0]: _items(known[1](value), classes, strings)})
    return items


def _plain_other(value: Any, classes: _Classes, strings: _Strings) -> Any:
    """A dict, or a subclass of a plain type (a ``str`` enum is stored as its text)."""
    if isinstance(value, str):
        if len(value) < SHARED_STRING:
            return value
        return strings.get(value) or _shared(value, strings)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list):
        return [_plain(v, classes, strings) for v in value]
    if isinstance(value, tuple):
        return {"t": [_plain(v, classes, strings) for v in value]}
    if isinstance(value, dict):
        return {"d": _items(chain.from_iterable(value.items()), classes, strings)}
    cls: Any = type(value)
    raise TypeError(f"cannot store a {cls.__module__}.{cls.__qualname__}")


@cache
def _init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields ``cls(*values)`` takes, for one of iacguard's dataclasses; else None."""
    if not (is_record(cls) and cls.__module__.startswith("iacguard.")):
        return None
    return tuple(f.name for f in fields(cls) if f.init)


@cache
def _field_values(cls: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """What gets an instance's values of ``_init_fields``, in one call."""
    names = _init_fields(cls)
    if names is None:
        return None
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        name = names[0]
        return lambda value: (getattr(value, name),)
    return attrgetter(*names) if names else lambda value: ()


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
    allowed = _field_types(cls, fields)

    def build(values: Any) -> Any:
        if type(values) is not list or len(values) != count:
            raise Invalid(f"{name} with the wrong fields")
        if not all(map(isinstance, values, allowed)):  # the loop runs in C
            raise Invalid(f"{name} with a field of the wrong type")
        return cls(*values)

    return build


def _field_types(cls: type, fields: tuple[str, ...]) -> tuple[tuple[type, ...], ...]:
    """For each field, the types its value may have, as far as its declared type can be
    checked cheaply (``object`` where not; a container's elements are checked as they are
    built)."""
    import types
    import typing

    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a name only imported for type checking: nothing is checked
        hints = {}
    checks = []
    for name in fields:
        allowed: list[type] = []
        hint = hints.get(name)
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        for option in options:
            origin = typing.get_origin(option) or option
            if origin is typing.Literal:
                allowed.extend({type(v) for v in typing.get_args(option)})
            elif origin is float:
                allowed.extend((float, int))
            elif isinstance(origin, type):
                allowed.append(origin)
            else:  # Any, a type variable, a union spelled with Union[]: not checked
                allowed = [object]
                break
        checks.append(tuple(allowed) or (object,))
    return tuple(checks)


def _shared(value: str, strings: _Strings) -> dict[str, int]:
    reference = strings[value] = {"s": len(strings)}
    return reference


def _dict(flat: Any) -> dict[Any, Any]:
    if type(flat) is not list or len(flat) % 2:
        raise Invalid("a malformed mapping")
    return dict(zip(flat[::2], flat[1::2], strict=True))
