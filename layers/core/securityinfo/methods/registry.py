"""The registry of method types: one module per type behind the MethodKind interface."""

from __future__ import annotations

from securityinfo.methods.authenticator_app import AuthenticatorApp
from securityinfo.methods.base import MethodKind
from securityinfo.methods.email import Email
from securityinfo.methods.phone import Phone
from securityinfo.methods.security_key import SecurityKey
from securityinfo.methods.security_questions import SecurityQuestions
from securityinfo.methods.software_oath import SoftwareOath

REGISTRY: dict[str, MethodKind] = {
    kind.type_name: kind
    for kind in (SoftwareOath(), AuthenticatorApp(), SecurityKey(), Phone(), Email(), SecurityQuestions())
}


def kind_of(type_name: str) -> MethodKind:
    return REGISTRY[type_name]
