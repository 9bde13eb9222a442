"""The configuration as evaluated: module instances, scopes, and the resources that
exist. Parsers build these (``iacguard.parsers.terraform``); the evaluator reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from iacguard.model import Location, Unknown
from iacguard.records import dataclass, field, replace
from iacguard.resolve.hcl import Attribute, Block, Expr, Module
from iacguard.resolve.terraform_repetition import Repetition
from iacguard.resolve.terraform_values import TfValue
from iacguard.text_map import TextMap


class Sources(Protocol):
    """What evaluation needs from the parsers: files, templates and JSON."""

    def read(self, path: Path) -> tuple[str, TextMap]: ...
    def template(self, text: str, text_map: TextMap, location: Location) -> Expr: ...
    def json(self, text: str, text_map: TextMap, holes: tuple[Unknown, ...]) -> TfValue: ...


@dataclass(eq=False)
class Instance:
    """A module as instantiated: the root module of a directory, or a module call."""

    module: Module
    root: Path
    prefix: str = ""
    values: dict[str, Attribute] = field(default_factory=dict)
    caller: tuple[Block, Scope] | None = None
    # A module call's instance, for references (``module.x.out``); ``instances`` has one
    # per ``count``/``for_each`` instance (``module.x["k"].``) when they are known.
    children: dict[str, Instance | Unknown] = field(default_factory=dict)
    instances: dict[str, list[Instance]] = field(default_factory=dict)
    memo: dict[str, TfValue] = field(default_factory=dict)

    @property
    def call_name(self) -> str:
        return self.prefix.rstrip(".")


@dataclass(frozen=True)
class Scope:
    instance: Instance
    bindings: dict[str, TfValue] = field(default_factory=dict)
    repetition: Repetition | None = None
    isolated: bool = False  # a templatefile: only its variables are visible

    def bind(self, **names: TfValue) -> Scope:
        return replace(self, bindings={**self.bindings, **names})


@dataclass(frozen=True)
class Resource:
    """A resource or data block that exists in a module instance, and the scope its
    expressions are evaluated in (with its ``count``/``for_each`` instances)."""

    address: str  # with the module prefix: module.bot.aws_iam_user.this
    type: str
    block: Block
    scope: Scope
    data: bool = False

    @property
    def handler_key(self) -> str:
        return f"data.{self.type}" if self.data else self.type
