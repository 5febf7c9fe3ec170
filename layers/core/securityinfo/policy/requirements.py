"""What the organization's policy requires a user to register ("Keep your account secure")."""

from __future__ import annotations

from securityinfo.methods.registry import kind_of
from securityinfo.policy.model import Policy
from securityinfo.storage.models import MethodItem


def missing_types(policy: Policy, methods: list[MethodItem]) -> list[str]:
    """Required types the user has not registered (or a type that stands in for one, ``satisfies``)."""
    have = {m.method_type for m in methods}
    for m in methods:
        have.update(kind_of(m.method_type).satisfies)
    return [t for t in policy.required_types if t not in have]


def registration_required(policy: Policy, methods: list[MethodItem]) -> bool:
    """Whether the sign-in prompt ("Keep your account secure") applies.

    The required types are what the wizard sets up first. Where the policy offers "a different
    method", the user may register another type instead, so the requirement is then the count (with
    at least one method for two-step verification); otherwise every required type must be there.
    """
    # A fallback (recovery codes) never counts toward what registration requires.
    methods = [m for m in methods if kind_of(m.method_type).stands_alone]
    if len(methods) < policy.required_count:
        return True
    if not any(kind_of(m.method_type).mfa_capable for m in methods):
        return True
    if policy.document["registration"]["offerDifferentMethod"]:
        return False
    return bool(missing_types(policy, methods))
