"""What checks report and reporters render: severities, findings, and the result of a
scan that holds them."""

from __future__ import annotations

import hashlib

from iacguard.errors import Error
from iacguard.model import Location, Unresolved
from iacguard.paths import NotRead
from iacguard.records import dataclass, field
from iacguard.severity import Severity


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding was built from: a statement of an escalation path, the
    module call that passed the offending value, the other copies of a policy."""

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Suppression:
    """How a finding was accepted: ``kind`` is comment, metadata, config or baseline;
    ``written`` is where the comment or Metadata entry is, when it is in a scanned file."""

    kind: str
    reason: str | None = None
    written: Location | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """One offending element of a finding that gathers several (each wildcard action of
    a statement) and where it is written."""

    element: str
    location: Location


@dataclass(slots=True)
class Finding:
    rule_id: str
    rule: str
    severity: Severity
    message: str
    location: Location
    resource: str
    resource_type: str
    element: str = ""
    related: tuple[Related, ...] = ()
    suppression: Suppression | None = field(default=None)
    parts: tuple[Part, ...] = ()
    # Where ``resource`` is unique (the model's scope: a template, a Terraform root module).
    # Two root modules calling one module under one name give two findings a user fixes
    # separately, at the same file and address.
    scope: str = ""
    construct_path: str | None = None  # the CDK construct that defined the resource

    @property
    def resource_label(self) -> str:
        """The resource as reports name it: its address, and its construct path if any."""
        if self.construct_path is None:
            return self.resource
        return f"{self.resource} ({self.construct_path})"

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: rule, file, resource address and offending element
        (with every part, in no particular order), and for a finding in a called module
        (``module.…``) the root module it was reached from."""
        return self._hash(*sorted({p.element for p in self.parts}))

    @property
    def part_fingerprints(self) -> frozenset[str]:
        """One per part: a baseline that holds them all holds this finding, even after a
        part is removed or the parts are reordered; a new part is not in it."""
        return frozenset(self._hash(p.element) for p in self.parts)

    def _hash(self, *parts: str) -> str:
        fields = (self.rule_id, self.location.file, self.resource, self.element, *parts)
        if self.resource.startswith("module."):
            fields = (*fields, self.scope)
        text = "\x1f".join(fields)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule_id)


@dataclass(frozen=True, slots=True)
class UnusedSuppression:
    """A comment, Metadata entry, config entry or baseline that covered no finding."""

    kind: str
    file: str
    line: int | None
    rules: tuple[str, ...]
    message: str


@dataclass(slots=True)
class ScanResult:
    """Everything a scan found and could not do; what every reporter renders."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    resources: int = 0
    unused_suppressions: list[UnusedSuppression] = field(default_factory=list)
    # file → the files its Terraform values are read from (Model.inputs), for PR mode
    inputs: dict[str, set[str]] = field(default_factory=dict)

    @property
    def unsuppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]
