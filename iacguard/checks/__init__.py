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


def _registry() -> tuple[type[Check], ...]:
    from iacguard.checks.admin_policy_attached import AdminPolicyAttached
    from iacguard.checks.credentials_exposure import CredentialsExposure
    from iacguard.checks.cross_account_trust import CrossAccountTrust
    from iacguard.checks.duplicate_inline_policy import DuplicateInlinePolicy
    from iacguard.checks.long_lived_credentials import LongLivedCredentials
    from iacguard.checks.oidc_trust_unrestricted import OidcTrustUnrestricted
    from iacguard.checks.passrole_unscoped import PassroleUnscoped
    from iacguard.checks.privilege_escalation import PrivilegeEscalation
    from iacguard.checks.public_resource_policy import PublicResourcePolicy
    from iacguard.checks.role_session_limit import RoleSessionLimit
    from iacguard.checks.trust_any_principal import TrustAnyPrincipal
    from iacguard.checks.unknown_action import UnknownAction
    from iacguard.checks.user_attached_policy import UserAttachedPolicy
    from iacguard.checks.user_inline_policy import UserInlinePolicy
    from iacguard.checks.user_not_in_group import UserNotInGroup
    from iacguard.checks.wildcard_action import WildcardAction
    from iacguard.checks.write_on_any_resource import WriteOnAnyResource

    return (
        UserInlinePolicy,
        WildcardAction,
        UserNotInGroup,
        UserAttachedPolicy,
        RoleSessionLimit,
        UnknownAction,
        WriteOnAnyResource,
        PassroleUnscoped,
        CredentialsExposure,
        TrustAnyPrincipal,
        OidcTrustUnrestricted,
        CrossAccountTrust,
        PublicResourcePolicy,
        PrivilegeEscalation,
        AdminPolicyAttached,
        LongLivedCredentials,
        DuplicateInlinePolicy,
    )


def find_check(key: str) -> type[Check] | None:
    """A check by id (``IG002``, any case) or slug (``wildcard-action``)."""
    wanted = key.strip().lower()
    checks: tuple[type[Check], ...] = __getattr__("CHECKS")
    return next((c for c in checks if wanted in (c.id.lower(), c.slug)), None)
