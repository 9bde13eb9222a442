"""Terraform IAM resources → the model, mirroring the CloudFormation parser's choices.

Module instances come resolved from ``iacguard.parsers.terraform``; values come from the
evaluator (``iacguard.resolve.terraform``); policy text of every form is read by the one
policy grammar (``policy_document``). A ``data "aws_iam_policy_document"`` is a policy of
kind ``document``, reported once where it is written: a policy that uses its ``.json``
refers to it and does not copy its statements.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from iacguard.model import (
    OWN_ACCOUNT,
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
from iacguard.parsers.lambda_permission import CONDITIONS as PERMISSION_CONDITIONS
from iacguard.parsers.lambda_permission import permission_statement
from iacguard.parsers.model_builder import ModelBuilder
from iacguard.parsers.terraform_credentials import CREDENTIAL_HANDLERS
from iacguard.parsers.terraform_documents import PolicyDocuments, document_refs, read_policy
from iacguard.resolve.hcl import Call, Expr, TupleExpr
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_computed import Computed, Derived, Fixed, Itself, SameAs
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

PRINCIPAL_TYPES: dict[str, PrincipalKind] = {
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_iam_role": "role",
    "aws_ssoadmin_permission_set": "permission_set",
}
DOCUMENT_TYPE = "aws_iam_policy_document"


def _oidc_provider_arn(url: str) -> str:
    host = url.split("://", 1)[-1].rstrip("/")
    return f"arn:aws:iam::{OWN_ACCOUNT}:oidc-provider/{host}"


# The attributes computed at apply that the reader needs known (for the evaluator): a
# document's JSON refers to the document; a user's, group's or role's id is its name; the
# trust rules compare the own account, the partition and an OIDC provider's ARN, which
# CloudFormation spells with pseudo parameters.
COMPUTED: Computed = {
    (f"data.{DOCUMENT_TYPE}", "json"): Itself(),
    (f"data.{DOCUMENT_TYPE}", "minified_json"): Itself(),
    **{(kind, "id"): SameAs("name") for kind in ("aws_iam_user", "aws_iam_group", "aws_iam_role")},
    ("data.aws_caller_identity", "account_id"): Fixed(OWN_ACCOUNT),
    ("data.aws_partition", "partition"): Fixed("aws"),
    **{
        (kind, "arn"): Derived("url", _oidc_provider_arn)
        for kind in ("aws_iam_openid_connect_provider", "data.aws_iam_openid_connect_provider")
    },
}


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
            handler = _HANDLERS.get(resource.handler_key)
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
        target = self.evaluator.target_of(expr, scope)
        if target is not None and _type_of(target) in PRINCIPAL_TYPES:  # aws_iam_user.x[*].name
            return [
                self.builder.ref(kind, v.location, target=target, name=v) for v in elements(value)
            ]
        return [self.builder.named(kind, v, v.location) for v in elements(value)]

    def _refs(
        self, expr: Expr, scope: Scope, kind: PrincipalKind, location: Location
    ) -> list[PrincipalRef]:
        value = self.evaluator.value(expr, scope)
        target = self.evaluator.target_of(expr, scope)
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
        target = self.evaluator.target_of(expr, resource.scope)
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
        target = self.evaluator.target_of(attribute.expr, resource.scope)
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


# -- resource handlers ---------------------------------------------------------------------

Handler = Callable[[IamReader, Resource], None]


def _principal(reader: IamReader, resource: Resource) -> None:
    kind = PRINCIPAL_TYPES[resource.type]
    duration_key = {"role": "max_session_duration", "permission_set": "session_duration"}.get(kind)
    name = reader.single(resource, "name")
    me = reader.builder.principal(
        kind,
        resource.address,
        resource.type,
        resource.block.location,
        name=name,
        session_duration=reader.session(resource, duration_key) if duration_key else (),
    )
    boundary = resource.block.attributes.get("permissions_boundary")
    if boundary is not None and kind in ("user", "role"):
        reader.builder.boundary(
            me, reader.attachments(me, resource, boundary.expr, boundary.location)
        )
    reader.builder.known_as(kind, name, resource.address)
    if kind == "role":
        _role(reader, resource, me)


def _role(reader: IamReader, resource: Resource, me: PrincipalRef) -> None:
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
        reader.builder.unresolved(unknown, resource.address)
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
        reader.builder.attach(
            reader.builder.attachments(me, [arn], resource.address, resource.type, arn.location)
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


def _attachment(owner_key: str, kind: PrincipalKind, arn_key: str = "policy_arn") -> Handler:
    def handle(reader: IamReader, resource: Resource) -> None:
        arn = resource.block.attributes.get(arn_key)
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
            reader.builder.membership(user, group, resource.address, resource.type, group.location)


def _group_membership(reader: IamReader, resource: Resource) -> None:
    groups = reader.refs(resource, "group", "group") or [
        reader.builder.ref("group", resource.block.location)
    ]
    for group in groups:
        for user in reader.list_refs(resource, "users", "user"):
            reader.builder.membership(user, group, resource.address, resource.type, user.location)


def _document(reader: IamReader, resource: Resource) -> None:
    reader.documents.build(resource.address)


def _resource_policy(document_key: str, governed_key: str | None) -> Handler:
    """A resource policy; ``governed_key`` names the resource it governs (``bucket``),
    None when it is written on that resource itself (``aws_kms_key.policy``)."""

    def handle(reader: IamReader, resource: Resource) -> None:
        attribute = resource.block.attributes.get(document_key)
        if attribute is None:
            return
        reader.policy(
            "resource",
            resource,
            attribute.location,
            reader.value(resource, document_key),
            governs=reader.governed(resource, governed_key),
        )

    return handle


def _lambda_permission(reader: IamReader, resource: Resource) -> None:
    governs = reader.governed(resource, "function_name")
    conditions = {name: reader.single(resource, name) for name in PERMISSION_CONDITIONS}
    statement = permission_statement(
        resource.block.location,
        reader.single(resource, "action"),
        reader.single(resource, "principal"),
        conditions,
    )
    reader.builder.policy(
        "resource",
        resource.address,
        resource.type,
        resource.block.location,
        statements=[statement],
        governs=governs,
    )


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
    "aws_ssoadmin_managed_policy_attachment": _attachment(
        "permission_set_arn", "permission_set", "managed_policy_arn"
    ),
    "aws_iam_user_group_membership": _user_group_membership,
    "aws_iam_group_membership": _group_membership,
    f"data.{DOCUMENT_TYPE}": _document,
    "aws_s3_bucket_policy": _resource_policy("policy", "bucket"),
    "aws_sqs_queue_policy": _resource_policy("policy", "queue_url"),
    "aws_sns_topic_policy": _resource_policy("policy", "arn"),
    "aws_kms_key": _resource_policy("policy", None),
    "aws_kms_key_policy": _resource_policy("policy", "key_id"),
    "aws_ecr_repository_policy": _resource_policy("policy", "repository"),
    "aws_secretsmanager_secret_policy": _resource_policy("policy", "secret_arn"),
    "aws_opensearch_domain": _resource_policy("access_policies", None),
    "aws_opensearch_domain_policy": _resource_policy("access_policies", "domain_name"),
    "aws_elasticsearch_domain": _resource_policy("access_policies", None),
    "aws_elasticsearch_domain_policy": _resource_policy("access_policies", "domain_name"),
    "aws_lambda_permission": _lambda_permission,
    **CREDENTIAL_HANDLERS,
}
# What the reader reads: only these resources' unknown values can change a finding.
IAM_TYPES = frozenset(_HANDLERS)
