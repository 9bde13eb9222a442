"""The registry: every check, in id order. Adding a check means adding it here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iacguard.checks.options import unique_options

if TYPE_CHECKING:
    from iacguard.checks.base import Check
    from iacguard.checks.options import Option

# Built on first use (PEP 562 ``__getattr__``): importing ``iacguard.checks.options`` or
# one check must not import them all (the command line and a replayed scan need none).
CHECKS: tuple[type[Check], ...]
# every check's options, each once: the config keys, CLI flags and cfn-lint options they give
OPTIONS: tuple[Option[Any], ...]


def __getattr__(name: str) -> Any:
    if name not in ("CHECKS", "OPTIONS"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    checks = _registry()
    globals().update(CHECKS=checks, OPTIONS=unique_options(o for c in checks for o in c.options))
    return globals()[name]


# One line a check, in id order: its module in this package and its class.
_REGISTRY = (
    ("user_inline_policy", "UserInlinePolicy"),
    ("wildcard_action", "WildcardAction"),
    ("user_not_in_group", "UserNotInGroup"),
    ("user_attached_policy", "UserAttachedPolicy"),
    ("role_session_limit", "RoleSessionLimit"),
    ("unknown_action", "UnknownAction"),
    ("write_on_any_resource", "WriteOnAnyResource"),
    ("passrole_unscoped", "PassroleUnscoped"),
    ("credentials_exposure", "CredentialsExposure"),
    ("trust_any_principal", "TrustAnyPrincipal"),
    ("oidc_trust_unrestricted", "OidcTrustUnrestricted"),
    ("cross_account_trust", "CrossAccountTrust"),
    ("public_resource_policy", "PublicResourcePolicy"),
    ("privilege_escalation", "PrivilegeEscalation"),
    ("admin_policy_attached", "AdminPolicyAttached"),
    ("long_lived_credentials", "LongLivedCredentials"),
    ("duplicate_inline_policy", "DuplicateInlinePolicy"),
)


def _registry() -> tuple[type[Check], ...]:
    from importlib import import_module

    return tuple(getattr(import_module(f"{__name__}.{module}"), name) for module, name in _REGISTRY)


def find_check(key: str) -> type[Check] | None:
    """A check by id (``IG002``, any case) or slug (``wildcard-action``)."""
    wanted = key.strip().lower()
    checks: tuple[type[Check], ...] = __getattr__("CHECKS")
    return next((c for c in checks if wanted in (c.id.lower(), c.slug)), None)
