"""The registry of method types: one module per type behind the MethodKind interface."""

from __future__ import annotations

from .authenticator_app import AuthenticatorApp
from .base import MethodKind
from .email import Email
from .phone import Phone
from .security_key import SecurityKey
from .security_questions import SecurityQuestions
from .software_oath import SoftwareOath

REGISTRY: dict[str, MethodKind] = {
    kind.type_name: kind
    for kind in (SoftwareOath(), AuthenticatorApp(), SecurityKey(), Phone(), Email(), SecurityQuestions())
}


def kind_of(type_name: str) -> MethodKind:
    return REGISTRY[type_name]
