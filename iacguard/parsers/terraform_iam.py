"""Terraform IAM resources → the model, mirroring the CloudFormation parser's choices.

``IamReader`` reads each resource through its handler (``terraform_iam_resources``)
and holds what the handlers share: values, references to principals, policies and
their attachments, all added through the ``ModelBuilder``.

Module instances come resolved from ``iacguard.parsers.terraform``; values come from the
evaluator (``iacguard.resolve.terraform``); policy text of every form is read by the one
policy grammar (``policy_document``). A ``data "aws_iam_policy_document"`` is a policy of
kind ``document``, reported once where it is written: a policy that uses its ``.json``
refers to it and does not copy its statements.
"""

from __future__ import annotations

from functools import partial

from iacguard.model import (
    Attachment,
    Location,
    PolicyKind,
    PrincipalKind,
    PrincipalRef,
    Scalar,
    Statement,
    Unknown,
    Value,
)
from iacguard.parsers import ParseResult
from iacguard.parsers.model_builder import ModelBuilder
from iacguard.parsers.terraform_documents import PolicyDocuments, document_refs, read_policy
from iacguard.parsers.terraform_iam_resources import DOCUMENT_TYPE, HANDLERS, PRINCIPAL_TYPES
from iacguard.resolve.hcl import Call, Expr, TupleExpr
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_references import target_of
from iacguard.resolve.terraform_scope import Resource, Scope
from iacguard.resolve.terraform_values import (
    Located,
    TfValue,
    elements,
    relocate,
    scalars,
)

# Functions whose arguments are lists whose elements end up in the result as they are.
_LIST_FUNCTIONS = frozenset({"concat", "distinct", "compact", "tolist", "toset"})


class IamReader:
    """Reads the IAM resources of a tree of module instances into ``result.model``;
    ``root`` is the directory of its root module, where addresses are unique."""

    def __init__(self, evaluator: Evaluator, result: ParseResult, root: str) -> None:
        self.evaluator = evaluator
        self.builder = ModelBuilder(result, root)
        self.documents = PolicyDocuments(evaluator, self.builder)

    def read(self, resources: list[Resource]) -> None:
        """Principals first, so that a literal name (``user = "alice"``) finds its user."""
        for resource in resources:
            if resource.handler_key == f"data.{DOCUMENT_TYPE}":
                self.documents.add(resource)
        principals = [r for r in resources if r.handler_key in PRINCIPAL_TYPES]
        others = [r for r in resources if r.handler_key not in PRINCIPAL_TYPES]
        for resource in principals + others:
            handler = HANDLERS.get(resource.handler_key)
            if handler is not None:
                read = partial(handler, self, resource)
                location = resource.block.location
                self.builder.read(resource.address, location, read, self.documents.problems)

    # -- values ----------------------------------------------------------------------

    def value(self, resource: Resource, name: str) -> TfValue | None:
        return self.evaluator.attribute(resource.block, name, resource.scope)

    def single(self, resource: Resource, name: str) -> Value | None:
        """A value that should be one scalar: several alternatives make it unknown."""
        value = self.value(resource, name)
        if value is None:
            return None
        if isinstance(value, Located) and isinstance(value.value, (list, dict)):
            kind = "a list" if isinstance(value.value, list) else "a mapping"
            location = resource.block.attributes[name].location
            message = f"{name} must be a single value, not {kind}"
            self.builder.problem(resource.address, message, location)
            return None
        found = scalars(value)
        if len(found) <= 1:
            return found[0] if found else None  # null: as if not set
        expr = resource.block.attributes[name].expr
        shown = ", ".join(str(v.value) for v in found if isinstance(v, Scalar))
        why = f"one of several values ({shown})" if shown else "cannot be resolved"
        return Unknown(_unquoted(expr.text), why, expr.location)

    # -- references to principals -------------------------------------------------------

    def refs(self, resource: Resource, name: str, kind: PrincipalKind) -> list[PrincipalRef]:
        """The principals one attribute names (``user = …``)."""
        attribute = resource.block.attributes.get(name)
        if attribute is None:
            return []
        return self._refs(attribute.expr, resource.scope, kind, attribute.location)

    def list_refs(self, resource: Resource, name: str, kind: PrincipalKind) -> list[PrincipalRef]:
        """The principals a list attribute names (``users = [...]``), each at its element."""
        attribute = resource.block.attributes.get(name)
        if attribute is None:
            return []
        return self._list_refs(attribute.expr, resource.scope, kind)

    def _list_refs(self, expr: Expr, scope: Scope, kind: PrincipalKind) -> list[PrincipalRef]:
        if isinstance(expr, TupleExpr):
            return [r for item in expr.items for r in self._refs(item, scope, kind, item.location)]
        if isinstance(expr, Call) and expr.name in _LIST_FUNCTIONS and not expr.expand_last:
            return [r for arg in expr.args for r in self._list_refs(arg, scope, kind)]
        value = self.evaluator.value(expr, scope)
        target = target_of(expr, scope)
        if target is not None and _type_of(target) in PRINCIPAL_TYPES:  # aws_iam_user.x[*].name
            return [
                self.builder.ref(kind, v.location, target=target, name=v) for v in elements(value)
            ]
        return [self.builder.named(kind, v, v.location) for v in elements(value)]

    def _refs(
        self, expr: Expr, scope: Scope, kind: PrincipalKind, location: Location
    ) -> list[PrincipalRef]:
        value = self.evaluator.value(expr, scope)
        target = target_of(expr, scope)
        if target is not None and _type_of(target) in PRINCIPAL_TYPES:
            names = scalars(value)
            name = names[0] if names else None
            return [self.builder.ref(kind, location, target=target, name=name)]
        return [self.builder.named(kind, v, location) for v in scalars(value)] or [
            self.builder.ref(kind, location)
        ]

    # -- policies ------------------------------------------------------------------------

    def policy(
        self,
        kind: PolicyKind,
        resource: Resource,
        location: Location,
        document: TfValue | None,
        *,
        name: Value | None = None,
        embedded_in: tuple[PrincipalRef, ...] = (),
        governs: str | None = None,
    ) -> None:
        statements: list[Statement] = []
        unknown: Unknown | None = None
        uses: tuple[str, ...] = ()
        if document is not None:
            uses = document_refs(document)
            statements, unknowns = read_policy(document, self.documents.problems)
            if unknowns and not statements:
                unknown = unknowns.pop(0)
            for each in unknowns:
                self.builder.unresolved(each, resource.address)
        self.builder.policy(
            kind,
            resource.address,
            resource.type,
            location,
            name=name,
            statements=statements,
            document=unknown,
            embedded_in=embedded_in,
            governs=governs,
            uses=uses,
        )

    def attach(
        self, owner: PrincipalRef, resource: Resource, expr: Expr, location: Location
    ) -> None:
        self.builder.attach(self.attachments(owner, resource, expr, location))

    def attachments(
        self, owner: PrincipalRef, resource: Resource, expr: Expr, location: Location
    ) -> list[Attachment]:
        """One attachment per alternative of the policy ARN ``expr``."""
        value = self.evaluator.value(expr, resource.scope)
        target = target_of(expr, resource.scope)
        policy_target = (
            target if target is not None and _type_of(target) == "aws_iam_policy" else None
        )
        arns: list[Value | None] = [*scalars(value)] or [None]
        return self.builder.attachments(
            owner, arns, resource.address, resource.type, location, policy_target=policy_target
        )

    def governed(self, resource: Resource, name: str | None) -> str:
        """How a message names the resource a policy governs: the address ``name`` refers
        to (``aws_s3_bucket.logs``), else what it is written as."""
        if name is None:
            return resource.address
        attribute = resource.block.attributes.get(name)
        if attribute is None:
            return resource.address
        target = target_of(attribute.expr, resource.scope)
        if target is not None:
            return target
        found = self.single(resource, name)
        return str(found.value) if isinstance(found, Scalar) else _unquoted(attribute.expr.text)

    def session(self, resource: Resource, name: str) -> tuple[Value, ...]:
        """Whole seconds (``max_session_duration``) or ISO 8601 (``session_duration``);
        a value of the wrong form is an error, not a value."""
        attribute = resource.block.attributes.get(name)
        value = self.value(resource, name)
        if attribute is None or value is None:
            return ()
        values = scalars(relocate(value, attribute.location))
        return self.builder.sessions(resource.address, name, values, iso=name == "session_duration")


def _unquoted(text: str) -> str:
    """``"user-${count.index}"`` as a message shows it: without the quotes."""
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else text


def _type_of(address: str) -> str:
    parts = address.split(".")
    while parts[:1] == ["module"]:
        parts = parts[2:]
    if parts[:1] == ["data"]:
        parts = parts[1:]
    return parts[0] if parts else ""
