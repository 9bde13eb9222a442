"""A check's options, declared once on the check: the config key, the CLI flag, the
cfn-lint ``configure_rules`` option and the README row all come from the declaration,
and the check reads its value from plain ``Settings``, never from the config."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Literal, TypeVar

from iacguard.records import dataclass

T = TypeVar("T", int, bool, tuple[str, ...])
Kind = Literal["integer", "boolean", "strings"]


class OptionError(ValueError):
    """A value an option cannot take; the message says what it must be."""


@dataclass(frozen=True, slots=True)
class Option(Generic[T]):
    """One setting of a check. The kind follows the default: a whole number above 0, a
    boolean, or a list of strings (a tuple, repeatable on the command line)."""

    name: str  # the config key and the cfn-lint option, in snake_case
    default: T
    help: str  # what it does, a phrase that fits in a table cell and in --help
    flag: str = ""  # the CLI flag; "" for --name-with-dashes
    metavar: str = "N"
    # a problem with one value (one item of a list), or None when it is fine
    problem: Callable[[Any], str | None] | None = None

    @property
    def kind(self) -> Kind:
        if isinstance(self.default, bool):
            return "boolean"
        if isinstance(self.default, int):
            return "integer"
        return "strings"

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    def value(self, raw: object) -> T:
        """``raw`` as this option's value, from a config file, the command line or cfn-lint
        (where everything may come as text); ``OptionError`` says what is wrong."""
        value: Any
        if self.kind == "boolean":
            value = _boolean(raw)
        elif self.kind == "integer":
            value = _positive_whole(raw)
        else:
            value = _strings(raw)
        for item in value if isinstance(value, tuple) else (value,):
            problem = self.problem(item) if self.problem else None
            if problem:
                raise OptionError(problem)
        return value

    def shown(self, value: object) -> str:
        """A value as the docs and messages write it."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, tuple):
            return "[" + ", ".join(value) + "]"
        return str(value)


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise OptionError(f"must be true or false, not {raw!r}")


def _positive_whole(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 18:
        number = int(raw.strip())
        if number > 0:
            return number
    raise OptionError(f"must be a whole number greater than 0, not {raw!r}")


def _strings(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, (list, tuple)) and all(isinstance(item, str) for item in raw):
        return tuple(raw)
    raise OptionError(f"must be a list of strings, not {raw!r}")


class Settings:
    """The option values a scan runs with: what was given, else each option's default."""

    __slots__ = ("_given",)

    def __init__(self, given: Mapping[str, object] | None = None) -> None:
        self._given = dict(given or {})

    def __getitem__(self, option: Option[T]) -> T:
        value = self._given.get(option.name, option.default)
        return value  # type: ignore[return-value]


def unique_options(options: Iterable[Option[Any]]) -> tuple[Option[Any], ...]:
    """The options in order of first appearance; two checks may share one option (the
    same object), but two different options may not share a name."""
    by_name: dict[str, Option[Any]] = {}
    for option in options:
        seen = by_name.setdefault(option.name, option)
        if seen is not option:
            raise ValueError(f"two different options are named {option.name!r}")
    return tuple(by_name.values())
