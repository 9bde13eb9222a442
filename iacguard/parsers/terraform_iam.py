"""Terraform IAM resources → the model, mirroring the CloudFormation parser's choices.

Module instances come resolved from ``iacguard.parsers.terraform``; values come from the
evaluator (``iacguard.resolve.terraform``); policy text of every form is read by the one
policy grammar (``policy_document``). A ``data "aws_iam_policy_document"`` is a policy of
kind ``document``, reported once where it is written: a policy that uses its ``.json``
refers to it and does not copy its statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from iacguard.model import (
    Attachment,
    Location,
    Membership,
    ParseError,
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
from iacguard.parsers.located_json import JsonProblem, decode
from iacguard.parsers.policy_document import DocumentProblem, read_statement, read_statements
from iacguard.resolve.hcl import Block, Expr, TextMap, TupleExpr
from iacguard.resolve.terraform import DOCUMENT_TYPE, Evaluator, Scope
from iacguard.resolve.terraform_values import (
    DocumentRef,
    Located,
    StatementNode,
    TfValue,
    ValueResolver,
    elements,
    options,
    relocate,
    scalars,
)

PRINCIPAL_TYPES: dict[str, PrincipalKind] = {
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_iam_role": "role",
    "aws_ssoadmin_permission_set": "permission_set",
}


@dataclass(frozen=True)
class Resource:
    address: str  # with the module prefix: module.bot.aws_iam_user.this
    type: str
    block: Block
    scope: Scope
    data: bool = False

    @property
    def handler_key(self) -> str:
        return f"data.{self.type}" if self.data else self.type


class IamReader:
    """Reads the IAM resources of a tree of module instances into ``result.model``."""

    def __init__(self, evaluator: Evaluator, result: ParseResult) -> None:
        self.evaluator = evaluator
        self.result = result
        self.model = result.model
        self.names: dict[tuple[PrincipalKind, str], str] = {}
        self.documents: dict[str, Resource] = {}
        self.built: dict[str, Policy | None] = {}

    def read(self, resources: list[Resource]) -> None:
        """Principals first, so that a literal name (``user = "alice"``) finds its user."""
        self.documents.update(
            (r.address, r) for r in resources if r.handler_key == f"data.{DOCUMENT_TYPE}"
        )
        principals = [r for r in resources if r.handler_key in PRINCIPAL_TYPES]
        others = [r for r in resources if r.handler_key not in PRINCIPAL_TYPES]
        for resource in principals + others:
            handler = _HANDLERS.get(resource.handler_key)
            if handler is None:
                continue
            where = resource.block.location
            try:
                handler(self, resource)
            except DocumentProblem as problem:
                loc = problem.location
                self.result.errors.append(
                    ParseError(
                        loc.file, f"{resource.address}: {problem.message}", loc.line, loc.column
                    )
                )
            except RecursionError:
                self.result.errors.append(
                    ParseError(
                        where.file, f"{resource.address}: nested too deeply to read", where.line
                    )
                )

    # -- values ----------------------------------------------------------------------

    def value(self, resource: Resource, name: str) -> TfValue | None:
        return self.evaluator.attribute(resource.block, name, resource.scope)

    def single(self, resource: Resource, name: str) -> Value | None:
        """A value that should be one scalar: several alternatives make it unknown."""
        value = self.value(resource, name)
        if value is None:
            return None
        found = scalars(value)
        if len(found) == 1:
            return found[0]
        attribute = resource.block.attributes[name]
        shown = ", ".join(str(v.value) for v in found if isinstance(v, Scalar))
        why = f"one of several values ({shown})" if shown else "cannot be resolved"
        return Unknown(attribute.expr.text, why, attribute.expr.location)

    def unresolved(self, unknown: Unknown, resource: str) -> None:
        loc = unknown.location
        entry = Unresolved(loc.file, loc.line, resource, unknown.expression, unknown.why)
        if entry not in self.model.unresolved:
            self.model.unresolved.append(entry)

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
        if isinstance(attribute.expr, TupleExpr):
            return [
                ref
                for item in attribute.expr.items
                for ref in self._refs(item, resource.scope, kind, item.location)
            ]
        value = self.evaluator.value(attribute.expr, resource.scope)
        return [self._named(kind, v, v.location) for v in elements(value)]

    def _refs(
        self, expr: Expr, scope: Scope, kind: PrincipalKind, location: Location
    ) -> list[PrincipalRef]:
        value = self.evaluator.value(expr, scope)
        target = self.evaluator.target_of(expr, scope)
        if target is not None and _type_of(target) in PRINCIPAL_TYPES:
            names = scalars(value)
            return [PrincipalRef(kind, location, target=target, name=names[0] if names else None)]
        return [self._named(kind, v, location) for v in scalars(value)] or [
            PrincipalRef(kind, location)
        ]

    def _named(self, kind: PrincipalKind, name: Value, location: Location) -> PrincipalRef:
        target = self.names.get((kind, str(name.value))) if isinstance(name, Scalar) else None
        return PrincipalRef(kind, location, target=target, name=name)

    def own_ref(self, resource: Resource, kind: PrincipalKind) -> PrincipalRef:
        principal = next(
            p for p in reversed(self.model.principals) if p.address == resource.address
        )
        return PrincipalRef(
            kind, resource.block.location, target=resource.address, name=principal.name
        )

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
    ) -> Policy:
        policy = Policy(
            kind, resource.address, resource.type, location, name=name, embedded_in=embedded_in
        )
        if document is not None:
            statements, unknowns = self.statements(document)
            policy.statements = statements
            if unknowns and not statements:
                policy.document = unknowns.pop(0)
            for unknown in unknowns:
                self.unresolved(unknown, resource.address)
        self.model.policies.append(policy)
        return policy

    def statements(self, document: TfValue) -> tuple[list[Statement], list[Unknown]]:
        """The statements written in ``document`` (JSON text or a ``jsonencode`` tree);
        documents it refers to (``data.aws_iam_policy_document.x.json``) report theirs."""
        resolver = ValueResolver()
        statements: list[Statement] = []
        unknowns: list[Unknown] = []
        for option in options(document):
            if isinstance(option, DocumentRef):
                continue
            tree = option if isinstance(option, Unknown) else _tree(option)
            if isinstance(tree, Unknown):
                unknowns.append(tree)
                continue
            statements.extend(read_statements(resolver, resolver.node(tree)))
        return statements, unknowns + resolver.unknowns

    def attach(
        self, owner: PrincipalRef, resource: Resource, expr: Expr, location: Location
    ) -> None:
        """One attachment per alternative of the policy ARN ``expr``."""
        value = self.evaluator.value(expr, resource.scope)
        target = self.evaluator.target_of(expr, resource.scope)
        policy_target = (
            target if target is not None and _type_of(target) == "aws_iam_policy" else None
        )
        arns: list[Value | None] = [*scalars(value)] or [None]
        for arn in arns:
            self.model.attachments.append(
                Attachment(
                    owner,
                    arn,
                    resource.address,
                    resource.type,
                    location,
                    policy_target=policy_target,
                )
            )

    def session(self, resource: Resource, name: str) -> tuple[Value, ...]:
        attribute = resource.block.attributes.get(name)
        value = self.value(resource, name)
        if attribute is None or value is None:
            return ()
        return tuple(scalars(relocate(value, attribute.location)))

    # -- aws_iam_policy_document ---------------------------------------------------------

    def document(self, address: str) -> Policy | None:
        """The document at ``address``, built once (documents that override it first)."""
        if address in self.built:
            return self.built[address]
        self.built[address] = None  # a document that names itself reads as empty
        resource = self.documents.get(address)
        if resource is None:
            return None
        policy = Policy("document", address, resource.type, resource.block.location)
        statements, unknowns = self._merged_statements(resource)
        policy.statements = statements
        for unknown in unknowns:
            self.unresolved(unknown, address)
        self.model.policies.append(policy)
        self.built[address] = policy
        return policy

    def _merged_statements(self, resource: Resource) -> tuple[list[Statement], list[Unknown]]:
        """Terraform's merge: source documents, then the statement blocks (replacing
        source statements with the same Sid), then override documents (replacing any
        statement with the same Sid). Statements of other data documents stay there."""
        unknowns: list[Unknown] = []
        merged: list[Statement] = []
        for source in self._listed(resource, "source_policy_documents"):
            found, missing = self._listed_statements(source)
            merged.extend(found)
            unknowns.extend(missing)
        blocks, dynamic_unknowns = self.evaluator.nested(
            resource.block, "statement", resource.scope
        )
        unknowns.extend(dynamic_unknowns)
        resolver = ValueResolver()
        for index, (block, scope) in enumerate(blocks):
            tree = self._statement_tree(block, scope)
            node = StatementNode(tree.value, ("statement", index), block.location, tree.when)
            statement = read_statement(resolver, node, index)
            merged = [s for s in merged if not (s.sid and s.sid == statement.sid)]
            merged.append(statement)
        unknowns.extend(resolver.unknowns)
        for override in self._listed(resource, "override_policy_documents"):
            found, missing = self._listed_statements(override)
            unknowns.extend(missing)
            sids = {s.sid for s in found if s.sid}
            if isinstance(override, DocumentRef):
                referred = self.document(override.address)
                sids |= {s.sid for s in (referred.statements if referred else []) if s.sid}
            merged = [s for s in merged if s.sid not in sids] + found
        for index, statement in enumerate(merged):
            statement.index = index
        return merged, unknowns

    def _listed(self, resource: Resource, name: str) -> list[TfValue]:
        value = self.value(resource, name)
        if value is None:
            return []
        listed: list[TfValue] = []
        for option in options(value):
            if isinstance(option, Located) and isinstance(option.value, list):
                listed.extend(option.value)
            else:
                listed.append(option)
        return listed

    def _listed_statements(self, document: TfValue) -> tuple[list[Statement], list[Unknown]]:
        if isinstance(document, DocumentRef):
            return [], []
        return self.statements(document)

    def _statement_tree(self, block: Block, scope: Scope) -> Located:
        """A ``statement`` block as the JSON statement it stands for."""
        entries: dict[str, TfValue] = {"Effect": Located("Allow", block.location)}
        keys = {
            "sid": "Sid",
            "effect": "Effect",
            "actions": "Action",
            "not_actions": "NotAction",
            "resources": "Resource",
            "not_resources": "NotResource",
        }
        for attribute, key in keys.items():
            value = self.evaluator.attribute(block, attribute, scope)
            if value is not None:
                entries[key] = value
        for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals = self._principals(block, kind, scope)
            if principals is not None:
                entries[key] = principals
        conditions = self._conditions(block, scope)
        if conditions is not None:
            entries["Condition"] = conditions
        return Located(entries, block.location)

    def _principals(self, block: Block, kind: str, scope: Scope) -> Located | None:
        blocks, _ = self.evaluator.nested(block, kind, scope)
        if not blocks:
            return None
        grouped: dict[str, TfValue] = {}
        for child, child_scope in blocks:
            principal_type = self.evaluator.attribute(child, "type", child_scope)
            identifiers = self.evaluator.attribute(child, "identifiers", child_scope)
            types = scalars(principal_type) if principal_type is not None else []
            key = str(types[0].value) if len(types) == 1 and isinstance(types[0], Scalar) else "*"
            if identifiers is not None:
                grouped[key] = identifiers
        return Located(grouped, blocks[0][0].location)

    def _conditions(self, block: Block, scope: Scope) -> Located | None:
        blocks, _ = self.evaluator.nested(block, "condition", scope)
        if not blocks:
            return None
        operators: dict[str, TfValue] = {}
        for child, child_scope in blocks:
            test = self.evaluator.attribute(child, "test", child_scope)
            variable = self.evaluator.attribute(child, "variable", child_scope)
            values = self.evaluator.attribute(child, "values", child_scope)
            if test is None or variable is None or values is None:
                continue
            operator = next(iter(scalars(test)), None)
            key = next(iter(scalars(variable)), None)
            if isinstance(operator, Scalar) and isinstance(key, Scalar):
                entry = operators.setdefault(str(operator.value), Located({}, child.location))
                assert isinstance(entry, Located)
                entry.value[str(key.value)] = values
        return Located(operators, blocks[0][0].location)


def _tree(value: Located) -> TfValue:
    """A policy given as JSON text becomes a tree located inside that text."""
    if not isinstance(value.value, str):
        return value
    text_map = value.text_map or TextMap.fixed(value.location)
    try:
        return decode(value.value, text_map, value.holes)
    except JsonProblem as problem:
        if value.holes:
            first = value.holes[0]
            return Unknown(
                first.expression,
                f"the policy is JSON with unknown parts: {first.why}",
                value.location,
            )
        raise DocumentProblem(
            f"the policy is not valid JSON: {problem.message}", problem.location
        ) from None


def _type_of(address: str) -> str:
    parts = address.split(".")
    while parts[:1] == ["module"]:
        parts = parts[2:]
    if parts[:1] == ["data"]:
        parts = parts[1:]
    return parts[0] if parts else ""


# -- resource handlers ---------------------------------------------------------------------

Handler = Callable[[IamReader, Resource], None]


def _principal(reader: IamReader, resource: Resource) -> None:
    kind = PRINCIPAL_TYPES[resource.type]
    duration_key = {"role": "max_session_duration", "permission_set": "session_duration"}.get(kind)
    principal = Principal(
        kind,
        resource.address,
        resource.type,
        resource.block.location,
        name=reader.single(resource, "name"),
        session_duration=reader.session(resource, duration_key) if duration_key else (),
    )
    reader.model.principals.append(principal)
    if isinstance(principal.name, Scalar):
        reader.names[(kind, str(principal.name.value))] = resource.address
    if kind == "role":
        _role(reader, resource)


def _role(reader: IamReader, resource: Resource) -> None:
    me = reader.own_ref(resource, "role")
    trust = resource.block.attributes.get("assume_role_policy")
    if trust is not None:
        reader.policy(
            "trust",
            resource,
            trust.location,
            reader.value(resource, "assume_role_policy"),
            embedded_in=(me,),
        )
    blocks, unknowns = reader.evaluator.nested(resource.block, "inline_policy", resource.scope)
    for unknown in unknowns:
        reader.unresolved(unknown, resource.address)
    for block, scope in blocks:
        document = reader.evaluator.attribute(block, "policy", scope)
        if document is None:
            continue
        name = reader.evaluator.attribute(block, "name", scope)
        names = scalars(name) if name is not None else []
        reader.policy(
            "inline",
            resource,
            block.location,
            document,
            name=names[0] if names else None,
            embedded_in=(me,),
        )
    arns = resource.block.attributes.get("managed_policy_arns")
    if arns is None:
        return
    if isinstance(arns.expr, TupleExpr):
        for item in arns.expr.items:
            reader.attach(me, resource, item, item.location)
        return
    for arn in elements(reader.evaluator.value(arns.expr, resource.scope)):
        reader.model.attachments.append(
            Attachment(me, arn, resource.address, resource.type, arn.location)
        )


def _managed_policy(reader: IamReader, resource: Resource) -> None:
    reader.policy(
        "managed",
        resource,
        resource.block.location,
        reader.value(resource, "policy"),
        name=reader.single(resource, "name"),
    )


def _owned_policy(owner_key: str, kind: PrincipalKind, document_key: str = "policy") -> Handler:
    def handle(reader: IamReader, resource: Resource) -> None:
        reader.policy(
            "inline",
            resource,
            resource.block.location,
            reader.value(resource, document_key),
            name=reader.single(resource, "name"),
            embedded_in=tuple(reader.refs(resource, owner_key, kind)),
        )

    return handle


def _attachment(owner_key: str, kind: PrincipalKind) -> Handler:
    def handle(reader: IamReader, resource: Resource) -> None:
        arn = resource.block.attributes.get("policy_arn")
        for owner in reader.refs(resource, owner_key, kind):
            if arn is not None:
                reader.attach(owner, resource, arn.expr, resource.block.location)

    return handle


def _policy_attachment(reader: IamReader, resource: Resource) -> None:
    arn = resource.block.attributes.get("policy_arn")
    if arn is None:
        return
    for key, kind in (("users", "user"), ("groups", "group"), ("roles", "role")):
        for owner in reader.list_refs(resource, key, kind):  # type: ignore[arg-type]
            reader.attach(owner, resource, arn.expr, owner.location)


def _user_group_membership(reader: IamReader, resource: Resource) -> None:
    for user in reader.refs(resource, "user", "user"):
        for group in reader.list_refs(resource, "groups", "group"):
            reader.model.memberships.append(
                Membership(user, group, resource.address, resource.type, group.location)
            )


def _group_membership(reader: IamReader, resource: Resource) -> None:
    groups = reader.refs(resource, "group", "group") or [
        PrincipalRef("group", resource.block.location)
    ]
    for group in groups:
        for user in reader.list_refs(resource, "users", "user"):
            reader.model.memberships.append(
                Membership(user, group, resource.address, resource.type, user.location)
            )


def _document(reader: IamReader, resource: Resource) -> None:
    reader.document(resource.address)


_HANDLERS: dict[str, Handler] = {
    "aws_iam_user": _principal,
    "aws_iam_group": _principal,
    "aws_iam_role": _principal,
    "aws_ssoadmin_permission_set": _principal,
    "aws_iam_policy": _managed_policy,
    "aws_iam_user_policy": _owned_policy("user", "user"),
    "aws_iam_group_policy": _owned_policy("group", "group"),
    "aws_iam_role_policy": _owned_policy("role", "role"),
    "aws_ssoadmin_permission_set_inline_policy": _owned_policy(
        "permission_set_arn", "permission_set", "inline_policy"
    ),
    "aws_iam_user_policy_attachment": _attachment("user", "user"),
    "aws_iam_group_policy_attachment": _attachment("group", "group"),
    "aws_iam_role_policy_attachment": _attachment("role", "role"),
    "aws_iam_policy_attachment": _policy_attachment,
    "aws_iam_user_group_membership": _user_group_membership,
    "aws_iam_group_membership": _group_membership,
    f"data.{DOCUMENT_TYPE}": _document,
}
