"""The one way the format readers add to the model.

The CloudFormation and Terraform readers find principals, policies, attachments,
memberships, credentials and problems each in their own format; they add them here, so
what the model holds cannot drift between the formats: every object carries the unit's
scope, a principal named by its IAM name is found the same way, a session length is read
by one parser, and errors and unresolved values are recorded once each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from iacguard.errors import Error, ErrorKind, internal
from iacguard.model import (
    Attachment,
    Block,
    Credential,
    CredentialKind,
    Location,
    Membership,
    Policy,
    PolicyKind,
    Principal,
    PrincipalKind,
    PrincipalRef,
    Scalar,
    Statement,
    Unknown,
    Unresolved,
    Value,
)
from iacguard.parsers import ParseResult
from iacguard.parsers.policy_document import DocumentProblem
from iacguard.parsers.session import session_seconds
from iacguard.parsers.source import nested_too_deeply
from iacguard.resolve.node import Problem


class ModelBuilder:
    """Adds what one unit (a template, a Terraform root module) declares to
    ``result.model``; ``scope`` is where its addresses are unique (see ``Principal``)."""

    def __init__(self, result: ParseResult, scope: str) -> None:
        self.result = result
        self.model = result.model
        self.scope = scope
        # (kind, IAM name) → address, so that ``Users: [alice]`` finds the user named alice
        self._names: dict[tuple[PrincipalKind, str], str] = {}
        self._principals: dict[str, Principal] = {}

    # -- resources -----------------------------------------------------------------------

    def read(
        self,
        address: str,
        location: Location,
        read: Callable[[], None],
        problems: list[Problem],
        construct_path: str | None = None,
    ) -> None:
        """Read one resource: its block is recorded (with the CDK construct that defined
        it, if any), and whatever goes wrong while reading it is an error at it that costs
        this resource alone, as are the malformed values the reader's resolver met
        (``problems``)."""
        self.model.blocks.append(Block(address, location, construct_path))
        try:
            read()
        except DocumentProblem as problem:
            self.problem(address, problem.message, problem.location, problem.kind)
        except RecursionError:
            self.problem(address, nested_too_deeply(), location, kind="limit")
        except Exception as exc:  # a bug on one resource must not lose the others
            self.error(internal(location, f"while reading {address}", exc))
        self.drain(address, problems)

    def problem(
        self, where: str | None, message: str, location: Location, kind: ErrorKind = "value"
    ) -> None:
        """An error at ``location``, naming the resource (``where``) if any; once each."""
        shown = f"{where}: {message}" if where else message
        self.error(Error.at(kind, shown, location))

    def error(self, error: Error) -> None:
        if error not in self.result.errors:
            self.result.errors.append(error)

    def drain(self, where: str, problems: list[Problem]) -> None:
        """Report the malformed values a resolver met while reading ``where``."""
        for found in problems:
            self.problem(where, found.message, found.location, found.kind)
        problems.clear()

    def unresolved(self, unknown: Unknown, resource: str) -> None:
        loc = unknown.location
        entry = Unresolved(loc.file, loc.line, resource, unknown.expression, unknown.why)
        if entry not in self.model.unresolved:
            self.model.unresolved.append(entry)

    # -- principals and references to them ---------------------------------------------

    def principal(
        self,
        kind: PrincipalKind,
        address: str,
        resource_type: str,
        location: Location,
        *,
        name: Value | None = None,
        session_duration: tuple[Value, ...] = (),
    ) -> PrincipalRef:
        """Record a principal; the reference its policies, attachments and memberships
        carry comes back."""
        principal = Principal(
            kind,
            address,
            resource_type,
            location,
            name=name,
            session_duration=session_duration,
            scope=self.scope,
        )
        self.model.principals.append(principal)
        self._principals[address] = principal
        return self.ref(kind, location, target=address, name=name)

    def known_as(self, kind: PrincipalKind, name: Value | str | None, address: str) -> None:
        """The principal at ``address`` has the IAM name ``name`` (when known), so that
        a reference by that name finds it."""
        if isinstance(name, Scalar):
            name = str(name.value)
        if isinstance(name, str):
            self._names[(kind, name)] = address

    def ref(
        self,
        kind: PrincipalKind,
        location: Location,
        *,
        target: str | None = None,
        name: Value | None = None,
    ) -> PrincipalRef:
        """A reference to the principal at ``target``, or to one named ``name`` (not
        looked up: an implicit role such as SAM's is no principal of the unit). With
        neither it names nobody, so it belongs to no unit either (an empty group member
        covers no user)."""
        scope = self.scope if target is not None or name is not None else ""
        return PrincipalRef(kind, location, target=target, name=name, scope=scope)

    def named(self, kind: PrincipalKind, name: Value | None, location: Location) -> PrincipalRef:
        """A reference by IAM name, to the principal of the unit so named if any."""
        target = self._names.get((kind, str(name.value))) if isinstance(name, Scalar) else None
        return self.ref(kind, location, target=target, name=name)

    def boundary(self, principal: PrincipalRef, attachments: list[Attachment]) -> None:
        """The permissions boundary of ``principal``: recorded on it, not as an
        attachment (it limits, it grants nothing)."""
        assert principal.target is not None
        self._principals[principal.target].boundary = attachments[0] if attachments else None

    def sessions(
        self, where: str, key: str, values: Iterable[Value], *, iso: bool
    ) -> tuple[Value, ...]:
        """A maximum session in seconds (``iso``: written as ISO 8601); a value of the
        wrong form is an error, not a value."""
        durations = []
        for value in values:
            seconds = session_seconds(key, value, iso=iso)
            if isinstance(seconds, str):
                self.problem(where, seconds, value.location)
            else:
                durations.append(seconds)
        return tuple(durations)

    # -- what principals have ------------------------------------------------------------

    def policy(
        self,
        kind: PolicyKind,
        address: str,
        resource_type: str,
        location: Location,
        *,
        name: Value | None = None,
        statements: list[Statement] | None = None,
        document: Unknown | None = None,
        embedded_in: tuple[PrincipalRef, ...] = (),
        governs: str | None = None,
        uses: tuple[str, ...] = (),
    ) -> Policy:
        policy = Policy(
            kind,
            address,
            resource_type,
            location,
            name=name,
            statements=statements or [],
            embedded_in=embedded_in,
            document=document,
            scope=self.scope,
            uses=uses,
            governs=governs,
        )
        self.model.policies.append(policy)
        return policy

    def attachments(
        self,
        principal: PrincipalRef,
        policies: Iterable[Value | None],
        address: str,
        resource_type: str,
        location: Location,
        *,
        policy_target: str | None = None,
    ) -> list[Attachment]:
        """One attachment per alternative of a policy ARN; not recorded (a boundary is
        one too)."""
        return [
            Attachment(
                principal, policy, address, resource_type, location, policy_target=policy_target
            )
            for policy in policies
        ]

    def attach(self, attachments: Iterable[Attachment]) -> None:
        self.model.attachments.extend(attachments)

    def membership(
        self,
        user: PrincipalRef,
        group: PrincipalRef,
        address: str,
        resource_type: str,
        location: Location,
    ) -> None:
        self.model.memberships.append(Membership(user, group, address, resource_type, location))

    def credential(
        self,
        kind: CredentialKind,
        user: PrincipalRef,
        address: str,
        resource_type: str,
        location: Location,
        *,
        exposed: str | None = None,
    ) -> None:
        self.model.credentials.append(
            Credential(kind, user, address, resource_type, location, exposed)
        )
