"""Recovery codes on the Security info page (docs/RULES.md): create a set after a step-up, read how many
are left, delete it. The codes are shown once, in the create answer, and kept nowhere else (no
idempotency record, no log line): the item holds their keyed hashes only.

The set is one item at a sort key fixed per user, so a new set overwrites the old one in one write
and every old code dies with it; the write is conditional on the set read before it, so two
concurrent creates cannot both answer codes of which only one set would work.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import NoMethodRegistered, RecoveryCodesChanged, RecoveryCodesDisabled
from securityinfo.methods import recovery_codes as kind
from securityinfo.policy.model import current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    PROFILE_SK,
    ProfileItem,
    RecoveryCodesMethodItem,
    clear_epoch_of,
    method_sk,
    same_clear_epoch,
    user_pk,
)
from securityinfo.verify import stepup


def set_method_id(deps: Deps, user_id: str) -> str:
    """The method id of the user's set: the same for every set of the user (one item to replace),
    derived under the hash key so it says nothing about the user id."""
    return "rc" + deps.hasher.digest(user_id, "recovery-codes-id")[:20]


def create(deps: Deps, caller: Caller) -> dict[str, Any]:
    """POST /me/recovery-codes (step-up): 201 with the ten codes, the only time they are shown."""
    policy = current_policy()
    if not policy.recovery_codes_enabled:
        raise RecoveryCodesDisabled(
            "Your organization does not use recovery codes. Ask your administrator if you need another "
            "way to sign in."
        )
    now = deps.clock.now()
    method_id = set_method_id(deps, caller.user_id)
    profile_item, old_item = store.get_many(deps.connection, caller.user_id, PROFILE_SK, method_sk(method_id))
    profile = store.typed(profile_item, ProfileItem)
    # Like a registration, a set made in a wizard begun before an administrator's clear is refused.
    epoch = caller.epoch if caller.epoch is not None else clear_epoch_of(profile)
    no_method = NoMethodRegistered(
        "Set up a method for two-step verification first (an authenticator app, phone or security "
        "key); recovery codes are a fallback for it."
    )
    if profile is None or not profile.mfa_count or clear_epoch_of(profile) != epoch:
        raise no_method
    stepup.require(deps, caller, policy, now, profile, profile_known=True)
    old = store.typed(old_item, RecoveryCodesMethodItem)
    codes = kind.new_set()
    set_id = random_id("s")
    item = RecoveryCodesMethodItem(
        user_pk(caller.user_id),
        method_sk(method_id),
        method_id=method_id,
        method_type=kind.RecoveryCodes.type_name,
        display_name=kind.RecoveryCodes.default_display_name,
        created_at=now,
        created_by=caller.actor,
        created_ip=caller.source_ip,
        created_user_agent=(caller.user_agent or "")[:256] or None,
        set_id=set_id,
        code_hashes={kind.digest(deps, caller.user_id, set_id, code.replace("-", "")) for code in codes},
        total=kind.COUNT,
    )
    model = RecoveryCodesMethodItem
    condition = model.pk.does_not_exist() if old is None else model.set_id == old.set_id
    try:
        with outbox.Change(deps) as tw:
            # Still a method to fall back from, and no clear since the read: a clear racing this
            # create wins (it would not see a set saved after it, and leave it behind).
            tw.condition_check(
                ProfileItem,
                user_pk(caller.user_id),
                PROFILE_SK,
                condition=(ProfileItem.mfa_count > 0) & same_clear_epoch(epoch),
                refusal=no_method,
            )
            tw.save(
                item,
                condition=condition,
                refusal=RecoveryCodesChanged(
                    "Your recovery codes were just replaced from somewhere else. Create them again to "
                    "get a set you can see."
                ),
            )
            tw.emit(
                "RecoveryCodesGenerated",
                events.detail(
                    caller,
                    now,
                    method_type=item.method_type,
                    method_id=method_id,
                    total=kind.COUNT,
                    replaced=old is not None,
                ),
            )
    except TransactWriteError as error:
        tw.refuse(error)
    return {"methodId": method_id, "codes": codes, "createdAt": iso(now)}


def status_of(recovery_set: RecoveryCodesMethodItem | None) -> dict[str, Any]:
    """GET /me/recovery-codes's answer for a set (or none): counts and dates, never a code."""
    answer: dict[str, Any] = kind.summary(recovery_set)
    if recovery_set is not None:
        answer["methodId"] = recovery_set.method_id
        answer["createdAt"] = iso(recovery_set.created_at)
        answer["lastUsedAt"] = iso(recovery_set.last_used_at) if recovery_set.last_used_at else None
    return answer


def status(deps: Deps, caller: Caller) -> dict[str, Any]:
    """GET /me/recovery-codes: one Query of the user's methods."""
    _, methods = store.methods_and_profile(caller.user_id)
    return {**status_of(kind.set_of(methods)), "enabled": current_policy().recovery_codes_enabled}


def delete(deps: Deps, caller: Caller) -> None:
    """DELETE /me/recovery-codes (step-up): 204 whether or not there was a set."""
    policy = current_policy()
    now = deps.clock.now()
    profile, methods = store.methods_and_profile(caller.user_id)
    stepup.require(deps, caller, policy, now, profile, profile_known=True)
    remove_set(deps, caller, caller.user_id, kind.set_of(methods), now)


def remove_set(
    deps: Deps, actor: Caller, user_id: str, recovery_set: RecoveryCodesMethodItem | None, now: float
) -> None:
    """Delete ``recovery_set`` (the user's own delete, an administrator's) and say so once."""
    if recovery_set is None:
        return
    try:
        with outbox.Change(deps) as tw:
            tw.delete(recovery_set, condition=RecoveryCodesMethodItem.set_id == recovery_set.set_id)
            emit_deleted(tw, actor, user_id, recovery_set, now)
    except TransactWriteError:
        return  # replaced or deleted meanwhile: the newer state stands


def emit_deleted(
    tw: outbox.Change,
    actor: Caller,
    user_id: str,
    recovery_set: RecoveryCodesMethodItem,
    now: float,
    reason: str | None = None,
) -> None:
    """``RecoveryCodesDeleted`` for the set the transaction deletes (a user's delete, an
    administrator's, or a clear of the whole security info with its ``reason``)."""
    detail = events.detail(
        actor,
        now,
        user_id=user_id,
        method_type=recovery_set.method_type,
        method_id=recovery_set.method_id,
        remaining=kind.remaining(recovery_set),
    )
    if reason is not None:
        detail["reason"] = reason
    tw.emit("RecoveryCodesDeleted", detail)
