"""CloudFormation long-lived user credentials → ``Credential``: access keys, login
profiles (``AWS::IAM::User`` ``LoginProfile``), service-specific credentials."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iacguard.model import CredentialKind, PrincipalRef, Scalar

if TYPE_CHECKING:
    from iacguard.parsers.cloudformation_reader import TemplateReader
    from iacguard.resolve.node import Node

_KINDS: dict[str, CredentialKind] = {
    "AWS::IAM::AccessKey": "access_key",
    "AWS::IAM::ServiceSpecificCredential": "service_specific_credential",
}


def user_credential(reader: TemplateReader, resource: Node, logical_id: str, kind: str) -> None:
    """``AWS::IAM::AccessKey`` and ``AWS::IAM::ServiceSpecificCredential``: ``UserName``."""
    props = reader.properties(resource)
    users = reader.refs(props, "UserName", "user") or [
        reader.builder.ref("user", resource.location)
    ]
    for user in users:
        reader.builder.credential(_KINDS[kind], user, logical_id, kind, resource.location)


def login_profile(reader: TemplateReader, props: Node, logical_id: str, me: PrincipalRef) -> None:
    """A user's ``LoginProfile``: a console password, exposed when it is written in the
    template or comes from a parameter that is not ``NoEcho``."""
    profile = reader.cfn.child(props, "LoginProfile")
    if profile is None:
        return
    password = reader.cfn.child(profile, "Password") if isinstance(profile.value, dict) else None
    exposed = _exposure(reader, password) if password is not None else None
    reader.builder.credential(
        "login_profile", me, logical_id, "AWS::IAM::User", profile.location, exposed=exposed
    )


def _exposure(reader: TemplateReader, password: Node) -> str | None:
    value = password.value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        parameter = reader.cfn.parameters.get(value["Ref"])
        if not isinstance(parameter, dict):
            return None
        if str(parameter.get("NoEcho", "false")).lower() == "true":
            return None
        return f"its password comes from parameter {value['Ref']}, which is not NoEcho"
    for alternative in reader.cfn.alternatives(password):
        if isinstance(alternative, Scalar) and "{{resolve:" not in str(alternative.value):
            return "its password is written in the template"
    return None
