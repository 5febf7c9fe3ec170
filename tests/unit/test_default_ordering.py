"""System-preferred picks the strongest method: security key > authenticator app (push) > TOTP >
voice > SMS, whatever order they were registered in."""

from __future__ import annotations

from itertools import permutations

from securityinfo.methods.registry import REGISTRY
from securityinfo.methods.views import strongest
from securityinfo.storage.models import (
    AuthenticatorAppMethodItem,
    MethodItem,
    SecurityKeyMethodItem,
    SoftwareOathMethodItem,
)


def method(cls: type[MethodItem], type_name: str, method_id: str, created_at: float) -> MethodItem:
    return cls("USER#u", f"METHOD#{method_id}", method_id=method_id, method_type=type_name,
               display_name=type_name, created_at=created_at, created_by="self")  # fmt: skip


def test_security_key_beats_push_beats_totp_in_any_order() -> None:
    made = [
        method(SoftwareOathMethodItem, "softwareOath", "totp", 1),
        method(AuthenticatorAppMethodItem, "authenticatorApp", "push", 2),
        method(SecurityKeyMethodItem, "securityKey", "key", 3),
    ]
    for order in permutations(made):
        assert strongest(list(order)).method_id == "key"  # type: ignore[union-attr]
    assert strongest(made[:2]).method_id == "push"  # type: ignore[union-attr]
    assert strongest(made[:1]).method_id == "totp"  # type: ignore[union-attr]


def test_strength_ranks_follow_the_spec() -> None:
    rank = {name: kind.strength(None) for name, kind in REGISTRY.items() if name != "phone"}  # type: ignore[arg-type]
    assert rank["securityKey"] < rank["authenticatorApp"] < rank["softwareOath"]
    # A hardware OATH token is TOTP too: it ranks with the TOTP apps (ties: the oldest).
    assert rank["authenticatorApp"] < rank["hardwareOath"] == rank["softwareOath"]
    if "phone" in REGISTRY:
        # Phones rank after every app (voice before SMS is the phone module's own test).
        assert all(rank[t] < 40 for t in ("securityKey", "authenticatorApp", "softwareOath", "hardwareOath"))
