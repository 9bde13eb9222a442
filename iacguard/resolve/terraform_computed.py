"""Attributes the provider computes, declared by the reader that needs them.

A reference such as ``aws_iam_user.alice.id`` names an attribute that is not written in
the block: Terraform knows it only after apply. The evaluator knows no resource type; a
reader hands it a ``Computed`` declaration (``(type, attribute)`` → how to know the
value statically, ``data.TYPE`` for a data source), so that such references resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from iacguard.records import dataclass


@dataclass(frozen=True)
class Itself:
    """The attribute stands for the object, which its reader reports where it is
    written: the value is a reference to it (``DocumentRef``), not a copy of it."""


@dataclass(frozen=True)
class SameAs:
    """The attribute always equals another, written one."""

    attribute: str


@dataclass(frozen=True)
class Fixed:
    """The attribute has the same value in every deploy the checks care about."""

    value: str


@dataclass(frozen=True)
class Derived:
    """The attribute is made from another one's known text; ``derive`` gives None when
    it cannot tell."""

    attribute: str
    derive: Callable[[str], str | None]


Computation = Itself | SameAs | Fixed | Derived
Computed = Mapping[tuple[str, str], Computation]
