"""What each CloudFormation and SAM resource type declares, read into the model: one
handler per type (``HANDLERS``), over the ``TemplateReader``'s shared reading."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from iacguard.model import PrincipalKind, PrincipalRef, Scalar, Unknown
from iacguard.parsers.cloudformation_credentials import login_profile, user_credential
from iacguard.parsers.cloudformation_policy_text import is_intrinsic
from iacguard.parsers.lambda_permission import permission_statement
from iacguard.parsers.policy_document import DocumentProblem
from iacguard.resolve.node import Node

if TYPE_CHECKING:
    from iacguard.parsers.cloudformation_reader import TemplateReader

# Resource types whose policies the checks read, by property: (policy, governed resource);
# None when the policy is written on the resource it governs.
RESOURCE_POLICIES: dict[str, tuple[str, str | None]] = {
    "AWS::S3::BucketPolicy": ("PolicyDocument", "Bucket"),
    "AWS::SQS::QueuePolicy": ("PolicyDocument", "Queues"),
    "AWS::SNS::TopicPolicy": ("PolicyDocument", "Topics"),
    "AWS::KMS::Key": ("KeyPolicy", None),
    "AWS::ECR::Repository": ("RepositoryPolicyText", None),
    "AWS::SecretsManager::ResourcePolicy": ("ResourcePolicy", "SecretId"),
    "AWS::OpenSearchService::Domain": ("AccessPolicies", None),
    "AWS::Elasticsearch::Domain": ("AccessPolicies", None),
}
LAMBDA_PERMISSION = "AWS::Lambda::Permission"

Handler = Callable[["TemplateReader", Node, str, str], None]


def _user(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal("user", resource, logical_id, kind, "UserName")
    reader.inline_policies(props, logical_id, kind, me)
    reader.managed_policy_arns(props, logical_id, kind, me)
    _boundary(reader, props, logical_id, kind, me)
    login_profile(reader, props, logical_id, me)
    groups = reader.cfn.child(props, "Groups")
    if groups is not None:
        for item in reader.cfn.items(groups):
            group = reader.ref(item, "group")
            reader.builder.membership(me, group, logical_id, kind, item.location)


def _group(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal("group", resource, logical_id, kind, "GroupName")
    reader.inline_policies(props, logical_id, kind, me)
    reader.managed_policy_arns(props, logical_id, kind, me)


def _role(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal(
        "role", resource, logical_id, kind, "RoleName", session_key="MaxSessionDuration"
    )
    reader.inline_policies(props, logical_id, kind, me)
    reader.managed_policy_arns(props, logical_id, kind, me)
    _boundary(reader, props, logical_id, kind, me)
    trust = reader.cfn.entry(props, "AssumeRolePolicyDocument")
    if trust is not None:
        reader.policy("trust", trust, logical_id, kind, trust.location, embedded_in=(me,))


def _boundary(
    reader: TemplateReader, props: Node, logical_id: str, kind: str, me: PrincipalRef
) -> None:
    """``PermissionsBoundary``: recorded on the principal, not as an attachment."""
    node = reader.cfn.child(props, "PermissionsBoundary")
    if node is None:
        return
    reader.builder.boundary(me, reader.attachments(me, node, logical_id, kind))


def _permission_set(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props, me = reader.principal(
        "permission_set", resource, logical_id, kind, "Name", session_key="SessionDuration"
    )
    inline = reader.cfn.child(props, "InlinePolicy")
    if inline is not None:
        reader.policy("inline", inline, logical_id, kind, inline.location, embedded_in=(me,))
    managed = reader.cfn.child(props, "ManagedPolicies")
    if managed is not None:
        for item in reader.cfn.items(managed):
            reader.attach(me, item, logical_id, kind)


def _policy(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    owners = tuple(
        ref
        for key, principal_kind in OWNER_KEYS[kind]
        for ref in reader.refs(props, key, principal_kind)
    )
    reader.policy(
        "inline",
        reader.cfn.child(props, "PolicyDocument"),
        logical_id,
        kind,
        resource.location,
        name=reader.name(props, "PolicyName"),
        embedded_in=owners,
    )


def _managed_policy(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    reader.policy(
        "managed",
        reader.cfn.child(props, "PolicyDocument"),
        logical_id,
        kind,
        resource.location,
        name=reader.name(props, "ManagedPolicyName"),
    )
    arn = Unknown(f"!Ref {logical_id}", "managed policy ARN", resource.location)
    for key, principal_kind in (("Users", "user"), ("Groups", "group"), ("Roles", "role")):
        node = reader.cfn.child(props, key)
        if node is None:
            continue
        for item in reader.cfn.items(node):
            principal = reader.ref(item, principal_kind)  # type: ignore[arg-type]
            reader.builder.attach(
                reader.builder.attachments(
                    principal, [arn], logical_id, kind, item.location, policy_target=logical_id
                )
            )


def _user_to_group(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    groups = reader.refs(props, "GroupName", "group")
    group = groups[0] if groups else reader.builder.ref("group", resource.location)
    for user in reader.refs(props, "Users", "user"):
        reader.builder.membership(user, group, logical_id, kind, user.location)


def _serverless(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    """SAM ``Policies``: a managed policy name/ARN, a list of them, inline documents
    (``Statement``) and SAM policy templates (``{S3ReadPolicy: {...}}``)."""
    props = reader.properties(resource)
    policies = reader.cfn.child(props, "Policies")
    if policies is None:
        return
    # the role SAM makes for the function: no principal of the template as written
    role = reader.builder.ref(
        "role", resource.location, name=Scalar(f"{logical_id}Role", resource.location)
    )
    for item in _sam_policy_items(reader, policies):
        if isinstance(item.value, dict) and "Statement" in item.value:
            reader.policy("inline", item, logical_id, kind, item.location, embedded_in=(role,))
        elif isinstance(item.value, dict) and len(item.value) == 1 and not is_intrinsic(item.value):
            _sam_template(reader, item, logical_id, kind, role)
        else:
            reader.attach(role, item, logical_id, kind)


def _resource_policy(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    document_key, governed_key = RESOURCE_POLICIES[kind]
    props = reader.properties(resource)
    document = reader.cfn.entry(props, document_key)
    if document is None:
        return
    governs = reader.governed(props, governed_key) if governed_key else logical_id
    reader.policy("resource", document, logical_id, kind, document.location, governs=governs)


def _lambda_permission(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    props = reader.properties(resource)
    conditions = {
        name: reader.name(props, key)
        for name, key in (
            ("source_arn", "SourceArn"),
            ("source_account", "SourceAccount"),
            ("principal_org_id", "PrincipalOrgID"),
        )
    }
    statement = permission_statement(
        resource.location,
        reader.name(props, "Action"),
        reader.name(props, "Principal"),
        conditions,
    )
    reader.builder.policy(
        "resource",
        logical_id,
        kind,
        resource.location,
        statements=[statement],
        governs=reader.governed(props, "FunctionName"),
    )


def _sam_template(
    reader: TemplateReader, item: Node, logical_id: str, kind: str, role: PrincipalRef
) -> None:
    """A SAM policy template is read as the statements it expands to, located at its
    entry; a template this SAM does not know is recorded by name."""
    from iacguard.parsers.sam_policy_templates import TemplateProblem, expand

    template_name = str(next(iter(item.value)))
    name = Scalar(template_name, item.location, item.when)
    try:
        document = expand(template_name, item.value[template_name])
    except TemplateProblem as problem:
        reader.problem(logical_id, DocumentProblem(str(problem), item.location))
        return
    if document is None:
        reader.builder.policy(
            "sam_template", logical_id, kind, item.location, name=name, embedded_in=(role,)
        )
        return
    expanded = Node(document, (*item.path, template_name), item.location, item.when)
    reader.policy(
        "inline", expanded, logical_id, kind, item.location, name=name, embedded_in=(role,)
    )


def _sam_policy_items(reader: TemplateReader, policies: Node) -> Iterator[Node]:
    for shape in reader.cfn.branches(policies):
        if isinstance(shape.value, dict) and "Statement" in shape.value:
            yield shape
        else:
            yield from reader.cfn.items(shape)


OWNER_KEYS: dict[str, tuple[tuple[str, PrincipalKind], ...]] = {
    "AWS::IAM::Policy": (("Users", "user"), ("Groups", "group"), ("Roles", "role")),
    "AWS::IAM::UserPolicy": (("UserName", "user"),),
    "AWS::IAM::GroupPolicy": (("GroupName", "group"),),
    "AWS::IAM::RolePolicy": (("RoleName", "role"),),
}

NAME_PROPERTY: dict[str, tuple[PrincipalKind, str]] = {
    "AWS::IAM::User": ("user", "UserName"),
    "AWS::IAM::Group": ("group", "GroupName"),
    "AWS::IAM::Role": ("role", "RoleName"),
}

HANDLERS: dict[str, Handler] = {
    "AWS::IAM::User": _user,
    "AWS::IAM::Group": _group,
    "AWS::IAM::Role": _role,
    "AWS::IAM::Policy": _policy,
    "AWS::IAM::UserPolicy": _policy,
    "AWS::IAM::GroupPolicy": _policy,
    "AWS::IAM::RolePolicy": _policy,
    "AWS::IAM::ManagedPolicy": _managed_policy,
    "AWS::IAM::UserToGroupAddition": _user_to_group,
    "AWS::IAM::AccessKey": user_credential,
    "AWS::IAM::ServiceSpecificCredential": user_credential,
    "AWS::SSO::PermissionSet": _permission_set,
    "AWS::Serverless::Function": _serverless,
    "AWS::Serverless::StateMachine": _serverless,
    LAMBDA_PERMISSION: _lambda_permission,
    **{kind: _resource_policy for kind in RESOURCE_POLICIES},
}
