"""The Security info page: read the user's methods; rename, remove, choose the default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import (
    BadRequest,
    Conflict,
    InvalidField,
    MethodNotAllowedForPurpose,
    MissingField,
    NoMethodRegistered,
    NotFound,
)
from securityinfo.kernel.i18n import t
from securityinfo.kernel.validation import DISPLAY_NAME, Field, validate
from securityinfo.manage import phone_change, recovery_codes
from securityinfo.methods import recovery_codes as recovery_kind
from securityinfo.methods.base import MFA
from securityinfo.methods.registry import LIMIT_COUNTERS, kind_of
from securityinfo.methods.views import audit_view, default_method_id, describe, save_updated, strongest
from securityinfo.notices import notifications
from securityinfo.policy.model import Policy, current_policy
from securityinfo.policy.requirements import missing_types, registration_required
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    MethodItem,
    ProfileItem,
    method_sk,
    profile_ref,
    profile_touch,
    risk_state_of,
    user_pk,
)
from securityinfo.verify import app_passwords, stepup

UPDATE_SCHEMA = {
    "displayName": DISPLAY_NAME,
    "channel": Field(str, choices=("sms", "voice")),
    "phoneNumber": Field(str, min_len=1, max_len=32),
}
DEFAULT_SCHEMA = {"methodId": Field(str, min_len=1, max_len=100), "systemPreferred": Field(bool)}


def _registration(policy: Policy, methods: list[MethodItem]) -> dict[str, Any]:
    required = registration_required(policy, methods)
    missing = missing_types(policy, methods) if required else []
    if required and not missing:
        # Short of the count only: any method the policy enables will do.
        missing = ["any"]
    return {"required": required, "missing": missing}


def overview(deps: Deps, caller: Caller) -> dict[str, Any]:
    """Everything the Security info page shows, from one Query of the user's partition."""
    profile, methods = store.methods_and_profile(caller.user_id)
    policy = current_policy()
    default_id = default_method_id(profile, methods)
    methods.sort(key=lambda m: (m.created_at, m.method_id))
    return {
        "userId": caller.user_id,
        "defaultMethodId": default_id,
        "systemPreferred": bool(profile and profile.system_preferred),
        "methods": [describe(m, default_id) for m in methods],
        "appPasswords": {
            "enabled": policy.app_passwords_enabled,
            "count": int(profile.app_password_count or 0) if profile is not None else 0,
            "limit": app_passwords.LIMIT,
        },
        "recoveryCodes": {
            "enabled": policy.recovery_codes_enabled,
            **recovery_kind.summary(recovery_kind.set_of(methods)),
        },
        "registration": _registration(policy, methods),
        "rememberDeviceDays": policy.remember_device_days,
        # "This wasn't me" sets it; an administrator dismisses it (manage/activity.py, admin.py).
        "riskState": risk_state_of(profile),
    }


def _own_method(user_id: str, method_id: str) -> MethodItem:
    """The caller's method or 404 (also for another user's id: keys are built from the caller)."""
    if not method_id or len(method_id) > 100:
        raise NotFound("No such method.")
    try:
        item = MethodItem.get(user_pk(user_id), method_sk(method_id))
    except MethodItem.DoesNotExist:
        raise NotFound("No such method.") from None
    return item


def update(deps: Deps, caller: Caller, method_id: str, body: Any) -> dict[str, Any]:
    """PATCH: rename (and, for phones, channel or number). Ownership first, then step-up."""
    data = validate(body, UPDATE_SCHEMA)
    method = _own_method(caller.user_id, method_id)
    policy = current_policy()
    now = deps.clock.now()
    stepup.require(deps, caller, policy, now)
    if not data:
        raise MissingField("Nothing to change: send displayName.", field="displayName")
    for name in ("channel", "phoneNumber"):
        if name in data and method.method_type != "phone":
            raise InvalidField(t("'{field}' applies to phone methods only.", field=name), field=name)
    if "channel" in data or "phoneNumber" in data:
        return phone_change.update(deps, caller, method, data, now)
    before = audit_view(method)
    method.display_name = data["displayName"]
    save_updated(
        deps,
        caller,
        now,
        method,
        before,
        [MethodItem.display_name.set(data["displayName"])],
        changedFields=["displayName"],
    )
    profile, methods = store.methods_and_profile(caller.user_id)
    return {"method": describe(method, default_method_id(profile, methods))}


def remove(deps: Deps, caller: Caller, method_id: str) -> None:
    """DELETE: remove the method; if it was the default, the strongest remaining one takes over."""
    method = _own_method(caller.user_id, method_id)
    kind = kind_of(method.method_type)
    if not kind.stands_alone:
        # The recovery set is not counted like a method: its own delete (same step-up, same event).
        recovery_codes.delete(deps, caller)
        return
    policy = current_policy()
    now = deps.clock.now()
    profile, methods = store.methods_and_profile(caller.user_id)
    stepup.require(deps, caller, policy, now, profile, profile_known=True)
    remove_method(deps, caller, caller.user_id, method, profile, methods)


def remove_method(
    deps: Deps,
    actor: Caller,
    user_id: str,
    method: MethodItem,
    profile: ProfileItem | None,
    methods: list[MethodItem],
    *,
    also: Callable[[outbox.Change], None] | None = None,
) -> None:
    """Remove one of ``user_id``'s methods (read with ``profile`` and ``methods``) in one
    transaction: counters, the default, what the type frees (``released``), notices and events, by
    ``actor`` (the user, or an administrator deleting a hardware token). ``also`` adds the caller's
    own operations to the transaction; then the type's releases are left to it."""
    kind = kind_of(method.method_type)
    now = deps.clock.now()
    remaining = [
        m for m in methods if m.method_id != method.method_id and kind_of(m.method_type).stands_alone
    ]
    old_default = default_method_id(profile, methods)
    new_best = strongest(remaining)
    new_default = (
        old_default if old_default != method.method_id else (new_best.method_id if new_best else None)
    )
    actions: list[Any] = [*profile_touch(), ProfileItem.method_count.add(-1)]
    group = kind.limit_group_of(kind.describe(method))
    if group in LIMIT_COUNTERS:
        actions.append(LIMIT_COUNTERS[group].add(-1))
    if kind.mfa_capable:
        actions.append(ProfileItem.mfa_count.add(-1))
    if new_default != (profile.default_method_id if profile else None):
        actions.append(
            ProfileItem.default_method_id.set(new_default)
            if new_default
            else ProfileItem.default_method_id.remove()
        )
    if not remaining:
        # No methods left: every remembered device must ask again, and nothing is left to prefer.
        actions += [ProfileItem.remember_generation.add(1), ProfileItem.system_preferred.set(False)]
    stored_default = profile.default_method_id if profile else None
    guard = (
        ProfileItem.default_method_id == stored_default
        if stored_default
        else ProfileItem.default_method_id.does_not_exist()
    )
    # The removed phone or address still hears about its removal (an attacker must not silence it).
    target = notifications.removal_target(user_id, method, now)
    removed: dict[str, Any] = {"notifyRef": notifications.target_ref(target)} if target is not None else {}
    announced: list[tuple[str, dict[str, Any]]] = [
        (
            "MethodRemoved",
            events.detail(
                actor,
                now,
                user_id=user_id,
                method_type=method.method_type,
                method_id=method.method_id,
                before=audit_view(method),
                **removed,
            ),
        )
    ]
    if new_default != old_default:
        announced.append(
            (
                "DefaultMethodChanged",
                events.detail(
                    actor,
                    now,
                    user_id=user_id,
                    method_type=new_best.method_type if new_best and new_default else None,
                    method_id=new_default,
                    before={"defaultMethodId": old_default},
                    after={"defaultMethodId": new_default},
                    reason="default_removed",
                ),
            )
        )
    if not remaining:
        # The remember generation goes up with the removal: every remembered device asks again.
        announced.append(
            (
                "RememberedDevicesForgotten",
                events.detail(actor, now, user_id=user_id, scope="all", reason="all_methods_removed"),
            )
        )
    tw = outbox.Change(deps)
    try:
        with tw:
            tw.delete(method, condition=MethodItem.pk.exists(), refusal=NotFound("No such method."))
            tw.update(profile_ref(user_id), actions=actions, condition=guard)
            for linked in kind.linked_items(method):
                tw.delete(linked)
            if also is not None:
                also(tw)
            else:
                for freed in kind.released(method):
                    tw.update(
                        freed.item, actions=freed.actions, condition=freed.condition, refusal=freed.refusal
                    )
            if target is not None:
                tw.save(target)
            for detail_type, detail in announced:
                tw.emit(detail_type, detail)
    except TransactWriteError as error:
        # Anything else that stopped it (the default guard, a linked item) is a concurrent change.
        tw.refuse(
            error,
            otherwise=Conflict("Your security info changed at the same time; reload and try again."),
        )
    kind.after_removal(deps, method)


def _new_default(
    chosen: MethodItem | None,
    system_preferred: bool,
    methods: list[MethodItem],
    stored: str | None,
    before: str | None,
) -> str | None:
    """The stored default_method_id after PUT /me/default-method's actions."""
    if chosen is not None:
        return chosen.method_id
    best = strongest(methods)
    best_id = best.method_id if best else None
    if system_preferred:
        return best_id
    return stored or before or best_id


def set_default(deps: Deps, caller: Caller, body: Any) -> dict[str, Any]:
    """PUT /me/default-method: one MFA-capable method, or system-preferred (always the strongest)."""
    data = validate(body, DEFAULT_SCHEMA)
    if ("methodId" in data) == ("systemPreferred" in data):
        raise BadRequest("Send either methodId or systemPreferred.", field="methodId")
    chosen: MethodItem | None = None
    if "methodId" in data:
        chosen = _own_method(caller.user_id, data["methodId"])
        kind = kind_of(chosen.method_type)
        if not kind.mfa_capable:
            message = (
                t(
                    "{type} can be used as a fallback only; choose another method as your default.",
                    type=kind.type_name,
                )
                if MFA in kind.usable_for
                else t(
                    "{type} can be used for password reset only; choose another method as your default.",
                    type=kind.type_name,
                )
            )
            raise MethodNotAllowedForPurpose(message, field="methodId")
    policy = current_policy()
    now = deps.clock.now()
    profile, methods = store.methods_and_profile(caller.user_id)
    stepup.require(deps, caller, policy, now, profile, profile_known=True)
    before = default_method_id(profile, methods)
    if chosen is not None:
        actions = [
            ProfileItem.default_method_id.set(chosen.method_id),
            ProfileItem.system_preferred.set(False),
        ]
        system_preferred = False
    else:
        system_preferred = bool(data["systemPreferred"])
        best = strongest(methods)
        if best is None:
            raise NoMethodRegistered(
                "Register a method for two-step verification first.",
                field="systemPreferred",
            )
        actions = [ProfileItem.system_preferred.set(system_preferred)]
        if system_preferred or not (profile and profile.default_method_id):
            actions.append(
                ProfileItem.default_method_id.set(
                    best.method_id if system_preferred else before or best.method_id
                )
            )
    # The new default follows from what was read and the actions (a transaction returns no item),
    # so the answer and the event need no second read; a concurrent change of the default refuses.
    stored_default = profile.default_method_id if profile else None
    stored_preferred = bool(profile.system_preferred) if profile else False
    updated = ProfileItem(
        profile_ref(caller.user_id).pk,
        profile_ref(caller.user_id).sk,
        default_method_id=_new_default(chosen, system_preferred, methods, stored_default, before),
        system_preferred=system_preferred,
    )
    after = default_method_id(updated, methods)
    guard = (
        ProfileItem.default_method_id == stored_default
        if stored_default
        else ProfileItem.default_method_id.does_not_exist()
    )
    guard = guard & (
        ProfileItem.system_preferred == stored_preferred
        if profile is not None and profile.system_preferred is not None
        else ProfileItem.system_preferred.does_not_exist()
    )
    tw = outbox.Change(deps)
    try:
        with tw:
            tw.update(
                profile_ref(caller.user_id),
                actions=[*profile_touch(), *actions],
                condition=guard,
                refusal=Conflict("Your security info changed at the same time; reload and try again."),
            )
            if after != before or chosen is None:
                target = next((m for m in methods if m.method_id == after), None)
                tw.emit(
                    "DefaultMethodChanged",
                    events.detail(
                        caller,
                        now,
                        method_type=target.method_type if target else None,
                        method_id=after,
                        before={"defaultMethodId": before},
                        after={"defaultMethodId": after, "systemPreferred": system_preferred},
                    ),
                )
    except TransactWriteError as error:
        tw.refuse(error)
    return {"defaultMethodId": after, "systemPreferred": system_preferred}


__all__ = ["overview", "update", "remove", "remove_method", "set_default", "MFA"]
