"""``dataclass`` as the standard library's, made without compiling code for each class.

Python creates a dataclass by writing the source of six methods (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, and for a frozen class ``__setattr__`` and
``__delattr__``) and compiling each: about 0.75 ms a class on Python 3.11. A cold scan
creates 55 to 97 of them, 16% of a cold scan of 80 templates. Here the standard
library still reads the fields (``fields()``, ``replace()``, ``__match_args__``,
``__slots__`` are its own), and the methods are made without compiling anything per
class: ``__init__`` from one compiled template per shape of class (how many fields, which
have default factories or ``init=False``, frozen or not; defaults are the function's),
renamed to the class's fields; the others are closures over the fields' names. They
behave as the generated ones do (``tests/test_records.py`` compares them with the
standard library's).

Only what iacguard's classes use is supported: ``frozen``, ``slots``, ``eq``, ``repr``
and fields with ``default``, ``default_factory``, ``init``, ``repr``, ``compare`` and
``hash``. Anything else (``order``, ``kw_only``, ``InitVar``) is a TypeError at import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any


class _Factory:
    """The default of a parameter whose field has a default_factory."""

    def __repr__(self) -> str:
        return "<factory>"  # as the standard library's shows in a signature


_FACTORY = _Factory()

if TYPE_CHECKING:  # type checkers know the standard library's: this behaves the same
    from dataclasses import dataclass
else:

    def dataclass(
        cls: type | None = None,
        /,
        *,
        frozen: bool = False,
        slots: bool = False,
        eq: bool = True,
        repr: bool = True,
    ) -> Any:
        def wrap(cls: type) -> type:
            return _record(cls, frozen=frozen, slots=slots, eq=eq, show=repr)

        return wrap if cls is None else wrap(cls)


def _record(cls: Any, *, frozen: bool, slots: bool, eq: bool, show: bool) -> Any:
    body = dict(cls.__dict__)
    if frozen and ("__setattr__" in body or "__delattr__" in body):
        raise TypeError(f"{cls.__qualname__}: a frozen record defines __setattr__")
    # The standard library reads the fields and makes the slots; it compiles nothing
    # with every method turned off. A class without a docstring gets its signature as
    # one, read here from the __init__ made below: before it, inspect would read the
    # signature of object() from text, with a tokenizer it compiles (12 ms).
    documented = bool(cls.__doc__)
    if not documented:
        cls.__doc__ = "-"
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots)
    every = dataclasses.fields(cls)
    declared = cls.__dataclass_fields__.values()  # with ClassVar and InitVar pseudo-fields
    if any(f.kw_only is True for f in every) or any(_init_var(f.type) for f in declared):
        raise TypeError(f"{cls.__qualname__}: InitVar and kw_only are not supported")
    names = tuple(f.name for f in every)
    if "self" in names:
        raise TypeError(f"{cls.__qualname__}: a field named self")
    if "__init__" not in body:
        cls.__init__ = _init(cls, every, frozen)
    if show and "__repr__" not in body:
        cls.__repr__ = _repr(tuple(f.name for f in every if f.repr))
    compared = _getter(tuple(f.name for f in every if f.compare))
    if eq and "__eq__" not in body:
        cls.__eq__ = _eq(compared)
    explicit_hash = body.get("__hash__", dataclasses.MISSING)
    has_explicit_hash = not (
        explicit_hash is dataclasses.MISSING or (explicit_hash is None and "__eq__" in body)
    )
    if eq and not has_explicit_hash:
        if frozen:
            hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
            cls.__hash__ = _hash(_getter(hashed))
        else:
            cls.__hash__ = None
    if not documented:
        import inspect

        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    if frozen:
        cls.__setattr__, cls.__delattr__ = _frozen(cls, names)
        if slots:  # pickling sets slots through __setattr__, which a frozen class refuses
            cls.__getstate__, cls.__setstate__ = _state(names)
    return cls


def _init_var(annotation: Any) -> bool:
    if isinstance(annotation, str):  # from __future__ import annotations
        return annotation.startswith(("InitVar", "dataclasses.InitVar"))
    return isinstance(annotation, dataclasses.InitVar) or annotation is dataclasses.InitVar


# -- __init__ ------------------------------------------------------------------------

# A field's part in __init__: p a parameter, d one with a default, f one with a default
# factory; F not a parameter, from its factory; V not a parameter, its default; N not set.
_TEMPLATES: dict[tuple[bool, tuple[str, ...], bool], Any] = {}


def _kind(f: dataclasses.Field[Any]) -> str:
    factory = f.default_factory is not dataclasses.MISSING
    default = f.default is not dataclasses.MISSING
    if f.init:
        return "f" if factory else "d" if default else "p"
    return "F" if factory else "V" if default else "N"


def _init(cls: type, every: tuple[dataclasses.Field[Any], ...], frozen: bool) -> Any:
    import types

    kinds = tuple(_kind(f) for f in every)
    optional = False
    for f, kind in zip(every, kinds, strict=True):
        if kind == "p" and optional:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")
        optional = optional or kind in "df"
    post_init = hasattr(cls, "__post_init__")
    # a parameter's default is the function's, not its code's: d and p share a template
    shape = (frozen, tuple("p" if kind == "d" else kind for kind in kinds), post_init)
    code = _TEMPLATES.get(shape)
    if code is None:
        code = _TEMPLATES[shape] = _template(*shape)
    names = {f"a{i}": f.name for i, f in enumerate(every)}
    code = code.replace(
        co_varnames=tuple(names.get(n, n) for n in code.co_varnames),
        co_names=tuple(names.get(n, n) for n in code.co_names),
        co_consts=tuple(names.get(c, c) if type(c) is str else c for c in code.co_consts),
    )
    if hasattr(code, "co_qualname"):
        code = code.replace(co_qualname=f"{cls.__qualname__}.__init__")
    namespace: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _FACTORY}
    defaults: list[Any] = []
    for i, (f, kind) in enumerate(zip(every, kinds, strict=True)):
        if kind in "fF":
            namespace[f"_f{i}"] = f.default_factory
        elif kind == "V":
            namespace[f"_v{i}"] = f.default
        if kind == "d":
            defaults.append(f.default)
        elif kind == "f":
            defaults.append(_FACTORY)
    function = types.FunctionType(code, namespace, "__init__", tuple(defaults) or None)
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    function.__module__ = cls.__module__
    function.__annotations__ = {f.name: f.type for f in every if f.init} | {"return": None}
    return function


def _template(frozen: bool, kinds: tuple[str, ...], post_init: bool) -> Any:
    """The code of an ``__init__`` for fields a0, a1…, compiled once for every class of
    the same shape (a parameter with a default is a ``p`` here: the defaults are given to
    each function)."""
    parameters = ["self"]
    lines = []
    for i, kind in enumerate(kinds):
        name = f"a{i}"
        if kind in "pf":
            parameters.append(name)
        value = {
            "p": name,
            "f": f"_f{i}() if {name} is _FACTORY else {name}",
            "F": f"_f{i}()",
            "V": f"_v{i}",
        }.get(kind)
        if value is not None:
            lines.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if post_init:
        lines.append("self.__post_init__()")
    source = f"def __init__({', '.join(parameters)}):\n    " + "\n    ".join(lines or ["pass"])
    namespace: dict[str, Any] = {}
    exec(compile(source, "<iacguard.records>", "exec"), namespace)
    return namespace["__init__"].__code__


# -- the other methods ---------------------------------------------------------------


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of ``names`` as a tuple, as the generated methods compare and hash."""
    if len(names) >= 2:
        return attrgetter(*names)
    if len(names) == 1:
        name = names[0]
        return lambda value: (getattr(value, name),)
    return lambda value: ()


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _eq(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen(cls: Any, names: tuple[str, ...]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _state(names: tuple[str, ...]) -> tuple[Any, Any]:
    values = _getter(names)

    def __getstate__(self: Any) -> list[Any]:
        return list(values(self))

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    return __getstate__, __setstate__
