"""What a check is: metadata declared once, a docstring that is its documentation, and
the narrowest hook it needs. The engine walks the model; a check only looks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from iacguard import RULES_URL
from iacguard.checks.options import Option, Settings
from iacguard.findings import Finding, Part, Related, Severity
from iacguard.model import (
    Attachment,
    Location,
    Model,
    Policy,
    Principal,
    PrincipalRef,
    Scalar,
    Statement,
    Unknown,
    Unresolved,
    Value,
)
from iacguard.records import dataclass, field

if TYPE_CHECKING:
    from iacguard.permissions import Permissions

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
_HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


@dataclass(slots=True)
class Context:
    """Handed to every hook: the option values, and where findings and unknowns go.
    ``scope`` is the scope of the object a per-object hook is given (a ``model`` hook
    says the scope of each finding it reports)."""

    settings: Settings = field(default_factory=Settings)
    findings: list[Finding] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    check: Check | None = None
    scope: str = ""
    _permissions: tuple[Model, Permissions] | None = None
    _recorded: set[Unresolved] = field(default_factory=set)

    def permissions(self, model: Model) -> Permissions:
        """Effective permissions, built once per scan for the checks that need them."""
        if self._permissions is None or self._permissions[0] is not model:
            from iacguard.permissions import Permissions

            self._permissions = (model, Permissions(model))
        return self._permissions[1]

    def report(
        self,
        location: Location,
        message: str,
        *,
        resource: str,
        resource_type: str,
        element: str = "",
        severity: Severity | None = None,
        related: tuple[Related, ...] = (),
        parts: tuple[Part, ...] = (),
        scope: str | None = None,
    ) -> None:
        check = self.check
        assert check is not None
        self.findings.append(
            Finding(
                rule_id=check.id,
                rule=check.slug,
                severity=severity or check.severity,
                message=message,
                location=location,
                resource=resource,
                resource_type=resource_type,
                element=element,
                related=related,
                parts=parts,
                scope=self.scope if scope is None else scope,
            )
        )

    def unknown(self, value: Unknown, resource: str, why: str | None = None) -> None:
        """A value this check needed could not be resolved: no finding, but on record."""
        entry = Unresolved(
            value.location.file, value.location.line, resource, value.expression, why or value.why
        )
        if entry not in self._recorded:  # a set: a large scan records thousands
            self._recorded.add(entry)
            self.unresolved.append(entry)


class Check:
    """Base of every check. Subclasses set the metadata and override one or more hooks."""

    id: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[Severity]  # the default
    # all it reports, when more than one; the highest is the cfn-lint level (rules.md)
    severities: ClassVar[tuple[Severity, ...]] = ()
    summary: ClassVar[str]
    frameworks: ClassVar[tuple[str, ...]] = ("terraform", "cloudformation")
    options: ClassVar[tuple[Option[Any], ...]] = ()  # read with ``ctx.settings[OPTION]``

    def statement(self, statement: Statement, policy: Policy, ctx: Context) -> None:
        """Called for every statement of every policy document."""

    def policy(self, policy: Policy, ctx: Context) -> None:
        """Called for every policy."""

    def principal(self, principal: Principal, ctx: Context) -> None:
        """Called for every user, group, role and permission set."""

    def attachment(self, attachment: Attachment, ctx: Context) -> None:
        """Called for every managed-policy attachment."""

    def model(self, model: Model, ctx: Context) -> None:
        """Called once with the whole model, for checks that join across it."""

    @classmethod
    def hooks(cls) -> frozenset[str]:
        """The hooks this check overrides, so the engine calls nothing else."""
        return frozenset(
            name
            for name in ("statement", "policy", "principal", "attachment", "model")
            if getattr(cls, name) is not getattr(Check, name)
        )

    @classmethod
    def help_uri(cls) -> str:
        """Where the rule's documentation is published (its section of docs/rules.md)."""
        return f"{RULES_URL}#{cls.slug}"

    @classmethod
    def documentation(cls) -> dict[str, str]:
        """The docstring's sections by heading (``## What it does`` …)."""
        import inspect  # with ast, dis and tokenize: 6 ms a scan does not need

        doc = inspect.getdoc(cls) or ""
        parts = _HEADING.split(doc)
        sections = {"": parts[0].strip()}
        for heading, body in zip(parts[1::2], parts[2::2], strict=True):
            sections[heading] = body.strip()
        return sections


def text_of(value: Value | None, default: str = "?") -> str:
    """How a message shows a value: the literal, or the expression of an unknown; an
    empty name (``""``, or ``AWS::NoValue`` in a branch) shows ``default`` instead."""
    if isinstance(value, Scalar) and str(value.value) != "":
        return str(value.value)
    if isinstance(value, Unknown):
        return value.expression
    return default


def ref_name(ref: PrincipalRef) -> str:
    """How a message names a referenced principal: its address in the scan, else its name."""
    return ref.target or text_of(ref.name)
