"""``dataclass``, ``field``, ``fields`` and ``replace`` as the standard library's, made
without its ``dataclasses`` module.

Python creates a dataclass by writing the source of six methods (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, and for a frozen class ``__setattr__`` and
``__delattr__``) and compiling each: about 0.75 ms a class on Python 3.11. A cold scan
creates 55 to 97 of them. And importing ``dataclasses`` imports ``inspect`` (with
``ast``, ``dis``, ``tokenize``): 11 ms, a fifth of a replayed scan. Here the fields are
read from the class's annotations as the standard library reads them, and the methods
are made without compiling anything per class: ``__init__`` from one compiled template
per shape of class (how many fields, which have default factories or ``init=False``,
frozen or not; defaults are the function's), renamed to the class's fields; the others
are closures over the fields' names. They behave as the generated ones do
(``tests/test_records.py`` compares them with the standard library's).

The standard library's functions work on a record too (``dataclasses.fields``,
``replace``, ``is_dataclass``): its ``__dataclass_fields__`` are made, by the standard
library, the first time something asks for them. Type checkers see the standard
library's decorator and functions.

Only what iacguard's classes use is supported: ``frozen``, ``slots``, ``eq``, ``repr``
and fields with ``default``, ``default_factory``, ``init``, ``repr``, ``compare`` and
``hash``. Anything else (``order``, ``kw_only``, ``InitVar``) is a TypeError at import.
"""

from __future__ import annotations

import sys
from operator import attrgetter

TYPE_CHECKING = False  # typing's, without importing typing (mypy reads it as True)
if TYPE_CHECKING:  # type checkers know the standard library's: these behave the same
    from collections.abc import Callable
    from dataclasses import dataclass, field, fields, replace
    from typing import Any

__all__ = ["dataclass", "field", "fields", "is_record", "replace"]


class _Missing:
    def __repr__(self) -> str:
        return "<MISSING>"


MISSING: Any = _Missing()


class _Factory:
    """The default of a parameter whose field has a default_factory."""

    def __repr__(self) -> str:
        return "<factory>"  # as the standard library's shows in a signature


_FACTORY = _Factory()


class Field:
    """A field of a record: what ``field()`` was given, and its name and annotation."""

    __slots__ = ("compare", "default", "default_factory", "hash", "init", "name", "repr", "type")

    def __init__(
        self,
        *,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        compare: bool = True,
        hash: bool | None = None,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.hash = hash

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, type={self.type!r}, default={self.default!r})"


class _Slot:
    __slots__ = ("slot",)


_MEMBER_DESCRIPTOR = type(_Slot.__dict__["slot"])  # a base class's slot, not a default
# what replace() raises for an init=False field: Python 3.13 made it a TypeError
_REPLACE_ERROR = TypeError if sys.version_info >= (3, 13) else ValueError

if not TYPE_CHECKING:
    field = Field

    def fields(value: Any) -> tuple[Field, ...]:
        try:
            return value.__record_fields__  # type: ignore[no-any-return]
        except AttributeError:
            raise TypeError("must be called with a record type or instance") from None

    def replace(value: Any, /, **changes: Any) -> Any:
        for f in value.__record_fields__:
            if not f.init:
                if f.name in changes:
                    raise _REPLACE_ERROR(
                        f"field {f.name} is declared with init=False, "
                        "it cannot be specified with replace()"
                    )
            elif f.name not in changes:
                changes[f.name] = getattr(value, f.name)
        return value.__class__(**changes)

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


def is_record(value: Any) -> bool:
    """Whether ``value`` is a record or an instance of one."""
    return hasattr(value, "__record_fields__")


# -- reading the fields --------------------------------------------------------------


def _record(cls: Any, *, frozen: bool, slots: bool, eq: bool, show: bool) -> Any:
    body = dict(cls.__dict__)
    if frozen and ("__setattr__" in body or "__delattr__" in body):
        raise TypeError(f"{cls.__qualname__}: a frozen record defines __setattr__")
    if slots and "__slots__" in body:
        raise TypeError(f"{cls.__name__} already specifies __slots__")
    every = _fields(cls, body)
    names = tuple(f.name for f in every)
    if "self" in names:
        raise TypeError(f"{cls.__qualname__}: a field named self")
    cls.__record_fields__ = every
    cls.__dataclass_fields__ = _STANDARD_FIELDS
    if "__match_args__" not in body:
        setattr(cls, "__match_args__", tuple(f.name for f in every if f.init))  # noqa: B010
    if slots:
        cls = _with_slots(cls, names)
    if "__init__" not in body:
        cls.__init__ = _init(cls, every, frozen)
    if show and "__repr__" not in body:
        cls.__repr__ = _repr(tuple(f.name for f in every if f.repr))
    compared = _getter(tuple(f.name for f in every if f.compare))
    if eq and "__eq__" not in body:
        cls.__eq__ = _eq(compared)
    explicit_hash = body.get("__hash__", MISSING)
    has_explicit_hash = not (
        explicit_hash is MISSING or (explicit_hash is None and "__eq__" in body)
    )
    if eq and not has_explicit_hash:
        if frozen:
            hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
            cls.__hash__ = _hash(_getter(hashed))
        else:
            cls.__hash__ = None
    if not cls.__doc__:  # as the standard library's: the signature
        cls.__doc__ = cls.__name__ + _signature(cls)
    if frozen:
        cls.__setattr__, cls.__delattr__ = _frozen(cls, names)
        if slots:  # pickling sets slots through __setattr__, which a frozen class refuses
            cls.__getstate__, cls.__setstate__ = _state(names)
    return cls


def _fields(cls: Any, body: dict[str, Any]) -> tuple[Field, ...]:
    """The fields of ``cls``: its bases' (the furthest first), then its own annotations'
    (a field declared again keeps its place); the class attributes of its fields are
    their defaults after this, as the standard library leaves them."""
    found: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        for f in base.__dict__.get("__record_fields__", ()):
            found[f.name] = f
    annotations = body.get("__annotations__", {})
    for name, value in body.items():
        if _is_field(value) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    for name, annotation in annotations.items():
        if _names(annotation, "ClassVar"):
            continue
        if _names(annotation, "InitVar") or _names(annotation, "KW_ONLY"):
            raise TypeError(f"{cls.__qualname__}: InitVar and kw_only are not supported")
        default = getattr(cls, name, MISSING)
        if isinstance(default, Field):
            f = default
        elif _is_field(default):
            f = _from_standard(default, cls)
        else:
            if type(default) is _MEMBER_DESCRIPTOR:  # a base class's slot
                default = MISSING
            f = Field(default=default)
        f.name, f.type = name, annotation
        if f.default is not MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(
                f"mutable default {type(f.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        if _is_field(body.get(name)):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        found[name] = f
    return tuple(found.values())


def _names(annotation: Any, name: str) -> bool:
    """Whether an annotation is ``name`` (``ClassVar``, ``InitVar``…) of typing or
    dataclasses, as written or as an object."""
    if not isinstance(annotation, str):
        if getattr(annotation, "__name__", None) == name:  # dataclasses.KW_ONLY
            return True
        annotation = repr(annotation)  # typing.ClassVar[int], dataclasses.InitVar[int]
    annotation = annotation.strip()
    for prefix in ("", "typing.", "dataclasses."):
        written = prefix + name
        if annotation == written or annotation.startswith((written + "[", written + " ")):
            return True
    return False


def _is_field(value: Any) -> bool:
    """One of ours or the standard library's ``field()``."""
    kind = type(value)
    return kind is Field or (kind.__name__ == "Field" and kind.__module__ == "dataclasses")


def _from_standard(given: Any, cls: Any) -> Field:
    """A field the standard library's ``field()`` made (a dataclasses module is loaded)."""
    missing = sys.modules["dataclasses"].MISSING
    if given.kw_only is True:
        raise TypeError(f"{cls.__qualname__}: InitVar and kw_only are not supported")
    return Field(
        default=MISSING if given.default is missing else given.default,
        default_factory=MISSING if given.default_factory is missing else given.default_factory,
        init=given.init,
        repr=given.repr,
        compare=given.compare,
        hash=given.hash,
    )


def _with_slots(cls: Any, names: tuple[str, ...]) -> Any:
    """``cls`` made again with a slot for each field its bases have no slot for."""
    inherited: set[str] = set()
    for base in cls.__mro__[1:-1]:
        declared = base.__dict__.get("__slots__", ())
        inherited.update((declared,) if isinstance(declared, str) else declared)
    body = dict(cls.__dict__)
    body["__slots__"] = tuple(name for name in names if name not in inherited)
    for name in (*names, "__dict__", "__weakref__"):
        body.pop(name, None)
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


class _StandardFields:
    """A record's ``__dataclass_fields__``, for the standard library's functions: made by
    it from the record's fields the first time one asks, then kept on the class."""

    def __get__(self, instance: Any, owner: Any) -> Any:
        import dataclasses

        def given(value: Any) -> Any:
            return dataclasses.MISSING if value is MISSING else value

        namespace: dict[str, Any] = {"__annotations__": {}, "__module__": owner.__module__}
        for f in owner.__record_fields__:
            namespace["__annotations__"][f.name] = f.type
            namespace[f.name] = dataclasses.field(
                default=given(f.default),
                default_factory=given(f.default_factory),
                init=f.init,
                repr=f.repr,
                compare=f.compare,
                hash=f.hash,
            )
        shadow = type(owner.__name__, (), namespace)
        standard: Any = dataclasses.dataclass(shadow, init=False, repr=False, eq=False)
        made = standard.__dataclass_fields__
        type.__setattr__(owner, "__dataclass_fields__", made)
        return made


_STANDARD_FIELDS = _StandardFields()


def _signature(cls: Any) -> str:
    """``str(inspect.signature(cls))`` without `` -> None``, for annotations written as
    text (``from __future__ import annotations``); else from inspect."""
    parameters = []
    for f in cls.__record_fields__:
        if not f.init:
            continue
        if not isinstance(f.type, str):
            import inspect

            return str(inspect.signature(cls)).replace(" -> None", "")
        text = f"{f.name}: {f.type!r}"
        if f.default is not MISSING:
            text += f" = {f.default!r}"
        elif f.default_factory is not MISSING:
            text += " = <factory>"
        parameters.append(text)
    return f"({', '.join(parameters)})"


# -- __init__ ------------------------------------------------------------------------

# A field's part in __init__: p a parameter, d one with a default, f one with a default
# factory; F not a parameter, from its factory; V not a parameter, its default; N not set.
_TEMPLATES: dict[tuple[bool, tuple[str, ...], bool], Any] = {}


def _kind(f: Field) -> str:
    factory = f.default_factory is not MISSING
    default = f.default is not MISSING
    if f.init:
        return "f" if factory else "d" if default else "p"
    return "F" if factory else "V" if default else "N"


def _init(cls: type, every: tuple[Field, ...], frozen: bool) -> Any:
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
            raise _frozen_error(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot delete field {name!r}")
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


def _frozen_error(message: str) -> Exception:
    """The standard library's error for a frozen instance changed (imported when one is)."""
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)
