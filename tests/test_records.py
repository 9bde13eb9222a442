"""``iacguard.records.dataclass`` behaves as the standard library's ``dataclass``: the
same class body decorated by each gives the same signature, repr, equality, hash,
frozenness, pickling, fields and slots."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import pkgutil
import re
from dataclasses import field
from typing import Any

import pytest
from helpers import ROOT

import iacguard
from iacguard import records

BOTH = [("standard", dataclasses.dataclass), ("records", records.dataclass)]
OPTIONS = [
    {"frozen": True, "slots": True},
    {"frozen": True},
    {"slots": True},
    {},
    {"slots": True, "eq": False},
    {"eq": False},
    {"frozen": True, "slots": True, "repr": False},
]


def make(decorator: Any, options: dict[str, bool]) -> type:
    """One body of every kind of field, decorated; named in this module, so that pickle
    finds it (the annotations are strings, as in iacguard's modules)."""

    class Record:
        file: str  # no docstring: the class's signature becomes one
        line: int
        column: int = 1
        path: tuple[str | int, ...] = ()
        tags: list[str] = field(default_factory=list, compare=False)
        hidden: int = field(default=0, repr=False)
        seen: int = field(default=7, hash=False)
        full: str = field(init=False, repr=False)
        later: tuple[int, ...] = field(init=False, default_factory=tuple)

        def __post_init__(self) -> None:
            object.__setattr__(self, "full", f"{self.file}:{self.line}")

    name = f"Record_{decorator.__module__.replace('.', '_')}_{'_'.join(options)}"
    Record.__name__ = Record.__qualname__ = name
    made = globals()[name] = decorator(**options)(Record)
    return made  # type: ignore[no-any-return]


def behaviour(cls: Any, frozen: bool) -> str:
    """What a user of the class sees, the class's name written as Record."""
    a = cls("f.yaml", 3, tags=["x"])
    b = cls("f.yaml", 3, tags=["y"], hidden=0)
    c = cls("f.yaml", 4, 2, ("Resources", 0))
    seen: dict[str, Any] = {
        "signature": str(inspect.signature(cls)),
        "repr": [repr(a), repr(c)],
        "equal": [a == b, a == c, a != c, a == "f.yaml", a.__eq__(object())],
        "hash": cls.__hash__ is None or [hash(a) == hash(b), hash(a) == hash(c)],
        "hash values": cls.__hash__ is not None and frozen and [hash(a), hash(c)],
        "fields": [(f.name, f.init, f.repr, f.compare) for f in dataclasses.fields(cls)],
        "match args": cls.__match_args__,
        "slots": sorted(getattr(cls, "__slots__", ())),
        "full": [a.full, a.later],
        "replaced": repr(dataclasses.replace(c, line=9)),
        "pickled": repr(pickle.loads(pickle.dumps(c))) == repr(c),
        "is dataclass": dataclasses.is_dataclass(cls),
        "doc": cls.__doc__,
    }
    for name, action in [("assign", lambda: setattr(c, "line", 5)),
                         ("delete", lambda: delattr(c, "line"))]:  # fmt: skip
        try:
            action()
            seen[name] = "allowed"
        except Exception as exc:  # the error a user would see
            seen[name] = (type(exc).__name__, str(exc))
    try:  # refused by both; Python 3.11's frozen slots class says so with a TypeError
        c.other = 5
        seen["assign another attribute"] = "allowed"
    except (AttributeError, TypeError):
        seen["assign another attribute"] = "refused"
    return re.sub(r" at 0x[0-9a-f]+", "", repr(seen).replace(cls.__name__, "Record"))


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_a_record_behaves_as_the_standard_dataclass(options: dict[str, bool]) -> None:
    frozen = options.get("frozen", False)
    standard, ours = (behaviour(make(d, options), frozen) for _, d in BOTH)
    assert ours == standard
    equal = "'equal': [True" if options.get("eq", True) else "'equal': [False"
    assert equal in standard  # the test tells the options apart


def test_a_subclass_adds_its_fields_after_its_base() -> None:
    def classes(decorator: Any) -> Any:
        @decorator(frozen=True, slots=True)
        class Base:
            kind: str
            size: int = 1

        @decorator(frozen=True, slots=True)
        class Leaf(Base):
            name: str = ""

        return Leaf

    standard, ours = (classes(d) for _, d in BOTH)
    assert str(inspect.signature(ours)) == str(inspect.signature(standard))
    assert repr(ours("k", 2, "n")) == repr(standard("k", 2, "n"))
    assert repr(ours("k", 2, "n")).endswith(".Leaf(kind='k', size=2, name='n')")
    assert ours("k", name="n") == ours("k", 1, "n")
    assert hash(ours("k", name="n")) == hash(standard("k", name="n"))


def test_explicit_methods_are_kept() -> None:
    @records.dataclass(frozen=True, slots=True)
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Named) and other.name.lower() == self.name.lower()

        def __hash__(self) -> int:
            return hash(self.name.lower())

    assert repr(Named("A")) == "<A>"
    assert Named("A") == Named("a")
    assert hash(Named("A")) == hash(Named("a"))


def test_what_records_do_not_support_is_an_error_at_once() -> None:
    with pytest.raises(TypeError, match="non-default argument 'c' follows default argument"):

        @records.dataclass
        class Order:
            a: int = 1
            b: int = field(default_factory=int, init=False)
            c: int = field(kw_only=False)  # type: ignore[call-overload]

    with pytest.raises(TypeError, match="InitVar and kw_only are not supported"):

        @records.dataclass
        class Keyword:
            a: int = field(kw_only=True)  # type: ignore[call-overload]


def test_every_dataclass_of_iacguard_is_a_record() -> None:
    """So every class is made the cheap way: the standard decorator only in records."""
    made_elsewhere = []
    for module in pkgutil.walk_packages(iacguard.__path__, "iacguard."):
        if module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.name
                and dataclasses.is_dataclass(value)
                and "__init__" in value.__dict__
                and value.__init__.__code__.co_filename != "<iacguard.records>"
            ):
                made_elsewhere.append(f"{module.name}.{value.__qualname__}")
    assert made_elsewhere == []
    standard = re.compile(
        r"^from dataclasses import .*\bdataclass\b|dataclasses\.dataclass\(", re.M
    )
    sources = [p for p in (ROOT / "iacguard").rglob("*.py") if p.name != "records.py"]
    assert [p.name for p in sources if standard.search(p.read_text(encoding="utf-8"))] == []


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "plain")
def test_records_fields_and_replace_are_the_standard_librarys(options: dict[str, bool]) -> None:
    """iacguard calls records' own (the standard library's would import dataclasses)."""
    cls: Any = make(records.dataclass, options)
    value = cls("f.yaml", 4, 2, ("Resources", 0), tags=["t"])
    assert [f.name for f in records.fields(cls)] == [f.name for f in dataclasses.fields(cls)]
    assert [f.name for f in records.fields(value)] == [f.name for f in dataclasses.fields(value)]

    def values(record: Any) -> list[Any]:
        return [getattr(record, f.name) for f in dataclasses.fields(record)]

    replaced = records.replace(value, line=9)
    assert values(replaced) == values(dataclasses.replace(value, line=9))
    assert (type(replaced), replaced.line, replaced.tags) == (cls, 9, ["t"])
    refused = []
    for replace in (records.replace, dataclasses.replace):
        with pytest.raises((TypeError, ValueError)) as error:
            replace(value, full="x")
        refused.append((type(error.value), str(error.value)))
    assert refused[0] == refused[1]
    assert "field full is declared with init=False" in refused[0][1]
    assert records.is_record(cls) and records.is_record(value)
    assert not records.is_record(make(dataclasses.dataclass, options))
    with pytest.raises(TypeError):
        records.fields(object())
