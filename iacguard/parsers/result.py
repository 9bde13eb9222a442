"""What parsing one unit produced."""

from __future__ import annotations

from iacguard.errors import Error
from iacguard.model import Model
from iacguard.records import dataclass, field


@dataclass(slots=True)
class ParseResult:
    """What parsing one unit (a template, a Terraform module) produced.

    ``scanned`` are the files that were read as IaC, ``skipped`` those that turned out
    not to be IaC of a known kind (a Kubernetes manifest, package.json…).
    """

    model: Model = field(default_factory=Model)
    errors: list[Error] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, other: ParseResult) -> None:
        """Take in what another unit produced."""
        self.model.extend(other.model)
        self.errors.extend(other.errors)
        self.scanned.extend(other.scanned)
        self.skipped.extend(other.skipped)
