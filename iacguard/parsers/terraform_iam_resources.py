"""What each Terraform IAM resource type declares, read into the model: one handler per
type (``HANDLERS``), over the ``IamReader``'s shared reading; and what the reader needs the
evaluator to know of attributes the provider computes (``COMPUTED``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from iacguard.model import OWN_ACCOUNT, PrincipalKind, PrincipalRef
from iacguard.parsers.lambda_permission import CONDITIONS as PERMISSION_CONDITIONS
from iacguard.parsers.lambda_permission import permission_statement
from iacguard.parsers.terraform_credentials import CREDENTIAL_HANDLERS
from iacguard.resolve.hcl import TupleExpr
from iacguard.resolve.terraform_computed import Computed, Derived, Fixed, Itself, SameAs
from iacguard.resolve.terraform_values import elements, scalars

if TYPE_CHECKING:
    from iacguard.parsers.terraform_iam import IamReader
    from iacguard.resolve.terraform_scope import Resource

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


Handler = Callable[["IamReader", "Resource"], None]


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


HANDLERS: dict[str, Handler] = {
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
IAM_TYPES = frozenset(HANDLERS)
