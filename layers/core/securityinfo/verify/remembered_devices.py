"""Remembered devices, "Don't ask again for X days" (docs/RULES.md).

A token is ``<deviceId>.<secret>``: the public device id names the record (list, revoke one), the
256-bit secret proves possession and is kept only as its SHA-256. Each record carries the profile's
``remember_generation`` at issue time; forgetting all of a user's devices raises the generation,
which revokes every token at once (O(1)) and leaves the old records to their TTL. Expiry and the
generation are checked in code, never left to TTL.
"""

from __future__ import annotations

import re
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import equal, random_id, random_token, sha256_hex
from securityinfo.kernel.errors import NotFound
from securityinfo.kernel.useragent import device_name
from securityinfo.policy.model import current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    DEVICE_PREFIX,
    Item,
    ProfileItem,
    RememberedDeviceItem,
    device_sk,
    profile_ref,
    profile_touch,
    user_pk,
)
from securityinfo.verify import stepup

DAY = 86400
_DEVICE_ID = re.compile(r"d[a-z2-7]{16}")


def generation_of(profile: ProfileItem | None) -> int:
    return int(profile.remember_generation or 0) if profile is not None else 0


def new_device(
    user_id: str, caller: Caller, now: float, days: int, generation: int
) -> tuple[str, RememberedDeviceItem]:
    """A fresh token for the client and the record that remembers its hash (bound to this user)."""
    device_id = random_id("d")
    secret = random_token()
    expires = now + days * DAY
    item = RememberedDeviceItem(
        user_pk(user_id),
        device_sk(device_id),
        device_id=device_id,
        token_hash=sha256_hex(secret),
        name=device_name(caller.user_agent),
        created_at=now,
        expires_at=expires,
        generation=generation,
        ttl=int(expires + DAY),
    )
    return f"{device_id}.{secret}", item


def _live(item: RememberedDeviceItem, generation: int, now: float) -> bool:
    return item.generation == generation and item.expires_at > now


def view(item: RememberedDeviceItem) -> dict[str, Any]:
    return {
        "id": item.device_id,
        "name": item.name,
        "createdAt": iso(item.created_at),
        "lastUsedAt": iso(item.last_used_at) if item.last_used_at else None,
        "expiresAt": iso(item.expires_at),
    }


def live_devices(user_id: str, now: float) -> list[RememberedDeviceItem]:
    """The devices that skip the second factor now: unexpired and of the current generation."""
    generation = generation_of(store.get_profile(user_id))
    found = Item.query(user_pk(user_id), Item.sk.startswith(DEVICE_PREFIX))
    devices = [d for d in found if isinstance(d, RememberedDeviceItem) and _live(d, generation, now)]
    return sorted(devices, key=lambda d: (d.created_at, d.device_id))


def listing(deps: Deps, caller: Caller) -> dict[str, Any]:
    """GET /me/remembered-devices: the devices that skip the second factor now."""
    now = deps.clock.now()
    return {"devices": [view(d) for d in live_devices(caller.user_id, now)]}


def forget_one(deps: Deps, caller: Caller, device_id: str) -> None:
    """DELETE /me/remembered-devices/{id} (step-up): that device asks again."""
    now = deps.clock.now()
    if not _DEVICE_ID.fullmatch(device_id or ""):
        raise NotFound("No such remembered device.")
    try:
        item = RememberedDeviceItem.get(user_pk(caller.user_id), device_sk(device_id))
    except RememberedDeviceItem.DoesNotExist:
        raise NotFound("No such remembered device.") from None
    profile = store.get_profile(caller.user_id)
    if not _live(item, generation_of(profile), now):
        raise NotFound("No such remembered device.")
    stepup.require(deps, caller, current_policy(), now, profile, profile_known=True)
    tw = outbox.Change(deps)
    try:
        with tw:
            tw.delete(
                item,
                condition=RememberedDeviceItem.pk.exists(),
                refusal=NotFound("No such remembered device."),
            )
            tw.emit(
                "RememberedDevicesForgotten",
                events.detail(caller, now, scope="device", deviceId=device_id, reason="user_request"),
            )
    except TransactWriteError as error:
        tw.refuse(error)


def forget_all(deps: Deps, caller: Caller) -> None:
    """DELETE /me/remembered-devices (step-up): "Forget MFA on remembered devices"."""
    now = deps.clock.now()
    stepup.require(deps, caller, current_policy(), now)
    revoke_all(deps, caller.user_id, events.detail(caller, now, scope="all", reason="user_request"))


def forget_all_actions() -> list[Any]:
    """The profile update that forgets every remembered device at once (a new generation), for a
    change that does it in its own transaction."""
    return [ProfileItem.remember_generation.add(1)]


def revoke_all(deps: Deps, user_id: str, detail: dict[str, Any]) -> None:
    """One write: a new generation, so every token issued before it stops working; with its
    RememberedDevicesForgotten (``detail``)."""
    with outbox.Change(deps) as tw:
        tw.update(profile_ref(user_id), actions=[*profile_touch(), *forget_all_actions()])
        tw.emit("RememberedDevicesForgotten", detail)


def check(user_id: str, token: str, profile: ProfileItem | None, now: float) -> bool:
    """Does ``token`` remember this user's device now? One GetItem (by the public device id), a
    constant-time compare of the secret's hash, and the last use recorded."""
    device_id, dot, secret = token.partition(".")
    if not dot or not _DEVICE_ID.fullmatch(device_id) or not 20 <= len(secret) <= 200:
        return False
    try:
        item = RememberedDeviceItem.get(user_pk(user_id), device_sk(device_id))
    except RememberedDeviceItem.DoesNotExist:
        return False
    if not equal(sha256_hex(secret), item.token_hash) or not _live(item, generation_of(profile), now):
        return False
    try:
        item.update(
            actions=[RememberedDeviceItem.last_used_at.set(now)],
            condition=RememberedDeviceItem.pk.exists() & (RememberedDeviceItem.generation == item.generation),
        )
    except UpdateError:
        return False  # forgotten meanwhile
    return True
