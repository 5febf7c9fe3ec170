"""The registry of method types: one module per type behind the MethodKind interface. Everything
that needs a fact about the types (names, limits, which are second factors) derives it from here."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from securityinfo.methods.authenticator_app import AuthenticatorApp
from securityinfo.methods.base import MethodKind
from securityinfo.methods.email import Email
from securityinfo.methods.hardware_oath import HardwareOath
from securityinfo.methods.phone import Phone
from securityinfo.methods.recovery_codes import RecoveryCodes
from securityinfo.methods.security_key import SecurityKey
from securityinfo.methods.security_questions import SecurityQuestions
from securityinfo.methods.software_oath import SoftwareOath

# In the order the policy lists them (its default enables all, in this order).
REGISTRY: dict[str, MethodKind] = {
    kind.type_name: kind
    for kind in (
        AuthenticatorApp(),
        SoftwareOath(),
        HardwareOath(),
        Phone(),
        Email(),
        SecurityKey(),
        SecurityQuestions(),
        RecoveryCodes(),
    )
}
# What POST /me/methods registers and the policy lists (recovery codes have their own routes).
METHOD_TYPES: tuple[str, ...] = tuple(name for name, kind in REGISTRY.items() if kind.registrable)
# docs/RULES.md: the types that can be a second factor (email and security questions reset passwords only).
MFA_TYPES: tuple[str, ...] = tuple(name for name, kind in REGISTRY.items() if kind.mfa_capable)
# Shared limits are counters on the profile, raised in the same transaction that saves the method.
LIMIT_COUNTERS: dict[str, NumberAttribute] = {
    group: counter for kind in REGISTRY.values() for group, counter in kind.limit_counters.items()
}


def kind_of(type_name: str) -> MethodKind:
    return REGISTRY[type_name]


def described() -> list[dict[str, object]]:
    """Every type as the admin page lists it, in the policy's order."""
    return [kind.facts() for kind in REGISTRY.values() if kind.registrable]
