"""The API's ``Method`` shape and the default-method rules, shared by every route that shows methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.errors import NotFound
from securityinfo.methods.registry import kind_of
from securityinfo.storage import outbox
from securityinfo.storage.models import MethodItem, ProfileItem

if TYPE_CHECKING:
    from securityinfo.kernel.context import Caller, Deps


def strongest(methods: list[MethodItem]) -> MethodItem | None:
    """The strongest MFA-capable method (security key > push > TOTP > voice > SMS); ties: oldest."""
    usable = [m for m in methods if kind_of(m.method_type).mfa_capable]
    if not usable:
        return None
    return min(usable, key=lambda m: (kind_of(m.method_type).strength(m), m.created_at, m.method_id))


def default_method_id(profile: ProfileItem | None, methods: list[MethodItem]) -> str | None:
    """The effective default: the strongest when system-preferred, else the user's choice."""
    if profile is not None and profile.system_preferred:
        best = strongest(methods)
        return best.method_id if best else None
    chosen = profile.default_method_id if profile is not None else None
    if chosen and any(m.method_id == chosen for m in methods):
        return chosen
    best = strongest(methods)
    return best.method_id if best else None


def describe(method: MethodItem, default_id: str | None) -> dict[str, Any]:
    kind = kind_of(method.method_type)
    body: dict[str, Any] = {
        "id": method.method_id,
        "type": method.method_type,
        "displayName": method.display_name,
        "createdAt": iso(method.created_at),
        "lastUsedAt": iso(method.last_used_at) if method.last_used_at else None,
        "isDefault": method.method_id == default_id,
        "usableFor": list(kind.usable_for),
    }
    body.update(kind.describe(method))
    return body


def audit_view(method: MethodItem) -> dict[str, Any]:
    """What an event may say about a method: masked, no secret."""
    return {"displayName": method.display_name, **kind_of(method.method_type).describe(method)}


def updated_detail(
    caller: Caller, now: float, method: MethodItem, before: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """``MethodUpdated``'s detail: the method as it was (``before``) and as it is now, masked."""
    return events.detail(
        caller,
        now,
        method_type=method.method_type,
        method_id=method.method_id,
        before=before,
        after=audit_view(method),
        **extra,
    )


def save_updated(
    deps: Deps,
    caller: Caller,
    now: float,
    method: MethodItem,
    before: dict[str, Any],
    actions: list[Any],
    **extra: Any,
) -> None:
    """Write ``actions`` to the method (already applied to it in memory, so its ``after`` view is
    the new one) together with its ``MethodUpdated``; no event when ``changedFields`` is empty."""
    tw = outbox.Change(deps)
    try:
        with tw:
            tw.update(
                method, actions=actions, condition=MethodItem.pk.exists(), refusal=NotFound("No such method.")
            )
            if extra.get("changedFields"):
                tw.emit("MethodUpdated", updated_detail(caller, now, method, before, **extra))
    except TransactWriteError as error:
        tw.refuse(error)
