"""Editing a phone (the pencil, API PATCH): a channel switch the phone kind allows applies at once;
a new number is proved with a code sent to it and replaces the old one only then (docs/RULES.md).

The proof of a new number is an ordinary registration (``POST /me/methods/registrations/{id}``,
resend included) marked ``replaces``; completing it updates the method in place, keeps the old
number as a notify target (so its owner hears about the change) and emits ``MethodUpdated``.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import Conflict, InvalidField, NotFound
from securityinfo.kernel.masking import mask_phone, phone_problem
from securityinfo.methods import onetime
from securityinfo.methods.base import MethodContext, new_registration
from securityinfo.methods.phone import Phone, check_channel, check_number_unused
from securityinfo.methods.registry import kind_of
from securityinfo.methods.views import audit_view, default_method_id, describe, save_updated, updated_detail
from securityinfo.notices import notifications
from securityinfo.policy.model import current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    MethodItem,
    PhoneMethodItem,
    ProfileItem,
    RegistrationItem,
    map_data,
    method_sk,
)
from securityinfo.verify import attempts


def _phone() -> Phone:
    kind = kind_of("phone")
    if not isinstance(kind, Phone):
        raise TypeError("phone is not registered")
    return kind


def update(
    deps: Deps, caller: Caller, method: MethodItem, data: dict[str, Any], now: float
) -> dict[str, Any]:
    """PATCH of a phone with ``channel`` and/or ``phoneNumber`` (ownership and step-up already
    checked). A new number answers ``{registrationId, sentTo, channel}`` (202)."""
    if not isinstance(method, PhoneMethodItem):
        raise InvalidField("'channel' and 'phoneNumber' apply to phone methods only.")
    if "phoneNumber" in data:
        return _begin_number_change(deps, caller, method, data, now)
    channel = str(data["channel"])
    check_channel(method.phone_type, channel)
    before = audit_view(method)
    actions: list[Any] = [PhoneMethodItem.channel.set(channel)]
    changed = ["channel"] if channel != method.channel else []
    if "displayName" in data:
        actions.append(MethodItem.display_name.set(data["displayName"]))
        if data["displayName"] != method.display_name:
            changed.append("displayName")
    method.channel = channel
    if "displayName" in data:
        method.display_name = data["displayName"]
    save_updated(deps, caller, now, method, before, actions, changedFields=changed)
    profile, methods = store.methods_and_profile(caller.user_id)
    return {"method": describe(method, default_method_id(profile, methods))}


def _begin_number_change(
    deps: Deps, caller: Caller, method: PhoneMethodItem, data: dict[str, Any], now: float
) -> dict[str, Any]:
    number = str(data["phoneNumber"])
    problem = phone_problem(number)
    if problem:
        raise InvalidField(problem, field="phoneNumber")
    if number == method.phone_number:
        raise InvalidField(
            "That is already this phone's number. Enter the new number.",
            field="phoneNumber",
        )
    channel = str(data.get("channel") or method.channel)
    check_channel(method.phone_type, channel)
    _, methods = store.methods_and_profile(caller.user_id)
    check_number_unused(
        number, [m for m in methods if isinstance(m, PhoneMethodItem) and m.method_id != method.method_id]
    )
    kind = _phone()
    change: dict[str, Any] = {
        "phoneType": method.phone_type,
        "phoneNumber": number,
        "channel": channel,
        "replaces": True,
    }
    if data.get("displayName"):
        change["displayName"] = data["displayName"]
    reg = new_registration(
        kind, caller, now, method_id=method.method_id, display_name=method.display_name, data=change
    )
    rid = reg.registration_id
    ctx = MethodContext(deps, caller, current_policy(), now)
    reg.code_hash = kind.send_code(
        ctx,
        binding=rid,
        channel=channel,
        to=number,
        meta={"methodId": method.method_id, "registrationId": rid},
    )
    reg.last_sent_at = now

    def save(tw: store.Transaction) -> None:
        tw.save(reg, condition=RegistrationItem.pk.does_not_exist())

    # One transaction saves the registration (with its code's hash) and counts the send.
    onetime.save_counted(deps, caller.user_id, now, ctx.outgoing, [save])
    onetime.deliver(deps, caller, now, ctx.outgoing, undo=reg.delete)
    return {
        "registrationId": rid,
        "type": method.method_type,
        "expiresAt": iso(reg.expires_at),
        "sentTo": mask_phone(number),
        "channel": channel,
    }


def finish(
    ctx: MethodContext, reg: RegistrationItem, proved: MethodItem, profile: ProfileItem | None
) -> dict[str, Any]:
    """The new number is proved: it replaces the old one, whose owner is still told about it."""
    deps, caller, now = ctx.deps, ctx.caller, ctx.now
    if not isinstance(proved, PhoneMethodItem):
        raise TypeError("not a phone")
    try:
        current = MethodItem.get(reg.pk, method_sk(reg.method_id))
    except MethodItem.DoesNotExist:
        current = None
    if not isinstance(current, PhoneMethodItem):
        reg.delete()
        raise NotFound("The phone this new number was for was deleted. Add the number as a new phone.")
    before = audit_view(current)
    target = notifications.removal_target(caller.user_id, current, now)
    actions: list[Any] = [
        PhoneMethodItem.phone_number.set(proved.phone_number),
        PhoneMethodItem.channel.set(proved.channel),
    ]
    changed = ["phoneNumber"] + (["channel"] if proved.channel != current.channel else [])
    new_name = map_data(reg.data).get("displayName")
    if new_name and new_name != current.display_name:
        actions.append(MethodItem.display_name.set(str(new_name)))
        changed.append("displayName")
    old_number = current.phone_number
    current.phone_number = proved.phone_number
    current.channel = proved.channel
    if new_name:
        current.display_name = str(new_name)
    extra: dict[str, Any] = {"changedFields": changed}
    if target is not None:
        extra["notifyRef"] = notifications.target_ref(target)
    tw = outbox.Change(deps)
    try:
        with tw:
            tw.delete(
                reg,
                condition=RegistrationItem.pk.exists(),
                refusal=NotFound("This change was already completed or cancelled."),
            )
            # A concurrent change of the same phone wins once; this one then refuses.
            tw.update(
                current,
                actions=actions,
                condition=PhoneMethodItem.phone_number == old_number,
                refusal=Conflict("This phone changed at the same time; reload and try again."),
            )
            # Refused if the user was locked since the read; ends a run of failures.
            attempts.succeeded(tw, caller.user_id, now, ctx.policy, profile)
            if target is not None:
                tw.save(target)
            tw.emit("MethodUpdated", updated_detail(caller, now, current, before, **extra))
    except TransactWriteError as error:
        tw.refuse(error)
    _, methods = store.methods_and_profile(caller.user_id)
    return {"method": describe(current, default_method_id(profile, methods))}
