"""Terraform long-lived user credentials → ``Credential``: access keys, login profiles,
service-specific credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from iacguard.model import CredentialKind

if TYPE_CHECKING:
    from iacguard.parsers.terraform_iam import IamReader
    from iacguard.resolve.terraform_scope import Resource

_IN_STATE = "without pgp_key its {} is stored in plain text in the Terraform state"


def _credential(kind: CredentialKind, user_key: str, secret: str | None) -> Callable[..., None]:
    """``secret``: what lands in the state unless ``pgp_key`` encrypts it (None: no
    ``pgp_key`` to set)."""

    def handle(reader: IamReader, resource: Resource) -> None:
        exposed = None
        if secret is not None and reader.single(resource, "pgp_key") is None:
            exposed = _IN_STATE.format(secret)
        location = resource.block.location
        users = reader.refs(resource, user_key, "user") or [reader.builder.ref("user", location)]
        for user in users:
            reader.builder.credential(
                kind, user, resource.address, resource.type, location, exposed=exposed
            )

    return handle


CREDENTIAL_HANDLERS: dict[str, Callable[[IamReader, Resource], None]] = {
    "aws_iam_access_key": _credential("access_key", "user", "secret access key"),
    "aws_iam_user_login_profile": _credential("login_profile", "user", "password"),
    "aws_iam_service_specific_credential": _credential(
        "service_specific_credential", "user_name", None
    ),
}
