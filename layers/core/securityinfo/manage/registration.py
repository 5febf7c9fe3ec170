"""Registering a method: begin (step-up, limits, the type's setup) and complete (the proof)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import (
    CodeExpired,
    Conflict,
    CredentialAlreadyRegistered,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidCode,
    MethodLimit,
    MethodTypeDisabled,
    MethodTypeUnavailable,
    NotFound,
    RegistrationExpired,
)
from securityinfo.kernel.i18n import t
from securityinfo.kernel.validation import Field, validate
from securityinfo.manage import phone_change
from securityinfo.methods import onetime
from securityinfo.methods.base import Claim, MethodContext, MethodKind, Pending, new_registration
from securityinfo.methods.registry import LIMIT_COUNTERS, METHOD_TYPES, REGISTRY, kind_of
from securityinfo.methods.views import default_method_id, describe
from securityinfo.policy.model import Policy, current_policy
from securityinfo.storage import idempotency, outbox, store
from securityinfo.storage.models import (
    PROFILE_SK,
    IdempotencyItem,
    Item,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    clear_epoch_of,
    idempotency_sk,
    map_data,
    method_sk,
    profile_ref,
    profile_touch,
    registration_sk,
    same_clear_epoch,
    user_pk,
)
from securityinfo.verify import attempts, stepup

ROUTE = "POST /me/methods"


def _counter(kind: MethodKind, group: str | None = None) -> NumberAttribute:
    return LIMIT_COUNTERS[group or kind.limit_group]


def _count(profile: ProfileItem | None, kind: MethodKind, group: str | None = None) -> int:
    if profile is None:
        return 0
    return int(getattr(profile, _counter(kind, group).attr_name) or 0)


def _kind_for(body: Any) -> MethodKind:
    head = validate(
        {"type": body.get("type")} if isinstance(body, dict) else body,
        {"type": Field(str, required=True, choices=METHOD_TYPES)},
    )
    type_name = head["type"]
    if type_name not in REGISTRY:
        raise MethodTypeUnavailable(
            t("{type} cannot be registered yet; choose another method.", type=type_name),
            field="type",
        )
    return kind_of(type_name)


def begin(deps: Deps, caller: Caller, body: Any, idempotency_key: str | None) -> dict[str, Any]:
    """Start a registration: 201 with what the client shows to prove the new method."""
    kind = _kind_for(body)
    data = validate(body, {"type": Field(str, required=True), **kind.registration_schema})
    key = idempotency.check_key(idempotency_key)
    policy = current_policy()
    if not policy.type_enabled(kind.type_name):
        raise MethodTypeDisabled(
            t("Your organization does not allow {type}; choose another method.", type=kind.type_name),
            field="type",
        )
    now = deps.clock.now()
    profile = store.get_profile(caller.user_id)
    stepup.require(deps, caller, policy, now, profile, profile_known=True, max_age=kind.step_up_seconds(data))
    # The notice of this new method goes out later, in the user's language: keep it now.
    store.remember_locale(caller, profile)
    ctx = MethodContext(deps, caller, policy, now)
    digest, earlier = idempotency.look_up(caller.user_id, key, ROUTE, data, now)
    if earlier is not None:
        return _replay(ctx, earlier)
    # After the replay check: a repeat of a create that reached the limit answers as it did.
    group = kind.limit_group_of(data)
    if _count(profile, kind, group) >= kind.limit:
        raise _limit_error(kind)
    reg = new_registration(
        kind,
        caller,
        now,
        method_id=random_id("m"),
        display_name=data.get("displayName") or kind.default_display_name,
    )
    rid = reg.registration_id
    # Inside a wizard, the epoch it started under: an administrator's clear since then refuses it.
    reg.epoch = caller.epoch if caller.epoch is not None else clear_epoch_of(profile)
    if kind.registers_at_once:
        return _register_at_once(ctx, kind, reg, data, profile, group, key, digest)
    answer = kind.begin_registration(ctx, reg, data)
    record = idempotency.record(caller.user_id, key, ROUTE, digest, rid, now) if key is not None else None

    try:
        # One transaction saves the registration (with its code's hash) and counts the send; the code
        # goes out only after that.
        onetime.save_new_then_send(
            deps, caller, now, ctx.outgoing, reg, record, undo=lambda: _forget(reg, caller.user_id, key)
        )
    except idempotency.Raced:
        return _replay(ctx, idempotency.winner(caller.user_id, key, ROUTE, digest, now))
    return {"registrationId": rid, "type": kind.type_name, "expiresAt": iso(reg.expires_at), **answer}


def _forget(reg: RegistrationItem, user_id: str, key: str | None) -> None:
    reg.delete()
    if key is not None:
        IdempotencyItem(user_pk(user_id), idempotency_sk(key)).delete()


def _register_at_once(
    ctx: MethodContext,
    kind: MethodKind,
    reg: RegistrationItem,
    data: dict[str, Any],
    profile: ProfileItem | None,
    group: str,
    key: str | None,
    digest: str,
) -> dict[str, Any]:
    """Types whose input is the proof (security questions): 201 with the method at once. The
    Idempotency-Key maps to the new method's id."""
    caller, now = ctx.caller, ctx.now
    registered = kind.complete_registration(ctx, reg, data)
    method = _fill_method(registered.method, reg, now)
    record = (
        idempotency.record(caller.user_id, key, ROUTE, digest, method.method_id, now)
        if key is not None
        else None
    )
    becomes_default, announced = _announcements(ctx, reg, method, kind, profile)
    _save_method(ctx.deps, reg, method, kind, announced, group, registration_saved=False, record=record)
    return {
        "method": describe(method, method.method_id if becomes_default else _current_default(profile)),
        **registered.answer,
    }


def _replay(ctx: MethodContext, registration_id: str) -> dict[str, Any]:
    if registration_id.startswith("m"):
        # A type registered at once: the key maps to the method itself.
        try:
            method = MethodItem.get(user_pk(ctx.caller.user_id), method_sk(registration_id))
        except MethodItem.DoesNotExist:
            raise IdempotencyKeyReused(
                "That request was already handled and its method is gone; use a new Idempotency-Key.",
            ) from None
        profile, methods = store.methods_and_profile(ctx.caller.user_id)
        return {"method": describe(method, default_method_id(profile, methods))}
    try:
        reg = RegistrationItem.get(user_pk(ctx.caller.user_id), registration_sk(registration_id))
    except RegistrationItem.DoesNotExist:
        raise IdempotencyKeyReused(
            "That request was already handled and its registration is gone; use a new Idempotency-Key.",
        ) from None
    answer = kind_of(reg.method_type).replay_registration(ctx, reg)
    return {
        "registrationId": registration_id,
        "type": reg.method_type,
        "expiresAt": iso(reg.expires_at),
        **answer,
    }


def complete(deps: Deps, caller: Caller, registration_id: str, body: Any) -> dict[str, Any]:
    """Check the proof and save the method: 201 with the new ``Method``."""
    connection = deps.connection
    reg_item, profile_item = store.get_many(
        connection, caller.user_id, registration_sk(registration_id), PROFILE_SK
    )
    reg = store.typed(reg_item, RegistrationItem)
    profile = store.typed(profile_item, ProfileItem)
    if reg is None:
        raise NotFound("No such registration. Start again from 'Add sign-in method'.")
    now = deps.clock.now()
    if reg.expires_at <= now:
        reg.delete()
        raise RegistrationExpired("This registration expired. Start again from 'Add sign-in method'.")
    kind = kind_of(reg.method_type)
    data = validate(body, kind.completion_schema)
    policy = current_policy()
    attempts.ensure_unlocked(profile, now)
    ctx = MethodContext(deps, caller, policy, now)
    try:
        registered = kind.complete_registration(ctx, reg, data)
    except Pending as waiting:
        # The proof comes out of band (the authenticator app's test notification): 202.
        return {"status": "pending", "registrationId": reg.registration_id, **waiting.answer}
    except InvalidCode as wrong:
        _count_wrong_code(deps, caller, policy, reg, wrong)
        raise
    if registered.replaces:
        # A proved new number for an existing phone (PATCH): the method changes in place.
        return phone_change.finish(ctx, reg, registered.method, profile)
    method = _fill_method(registered.method, reg, now)
    becomes_default, announced = _announcements(ctx, reg, method, kind, profile)
    _save_method(
        deps,
        reg,
        method,
        kind,
        announced,
        kind.limit_group_of(map_data(reg.data)),
        linked=registered.linked,
        claims=registered.claims,
        proved_at=now,
    )
    return {
        "method": describe(method, method.method_id if becomes_default else _current_default(profile)),
        **registered.answer,
    }


def _fill_method(method: MethodItem, reg: RegistrationItem, now: float) -> MethodItem:
    """The common fields of a new method, from its registration."""
    method.pk = reg.pk
    method.sk = method_sk(reg.method_id)
    method.method_id = reg.method_id
    method.method_type = reg.method_type
    method.display_name = reg.display_name
    method.created_at = now
    method.created_by = reg.created_by
    method.created_ip = reg.created_ip
    method.created_user_agent = reg.created_user_agent
    return method


Announced = list[tuple[str, dict[str, Any]]]


def _announcements(
    ctx: MethodContext,
    reg: RegistrationItem,
    method: MethodItem,
    kind: MethodKind,
    profile: ProfileItem | None,
) -> tuple[bool, Announced]:
    """Whether the new method becomes the default, and the events its save writes: MethodRegistered
    (and DefaultMethodChanged for a first MFA method)."""
    caller, now = ctx.caller, ctx.now
    becomes_default = kind.mfa_capable and (profile is None or not profile.default_method_id)
    announced: Announced = []
    announced.append(
        (
            "MethodRegistered",
            events.detail(
                caller,
                now,
                method_type=method.method_type,
                method_id=method.method_id,
                after=describe(method, None) | {"isDefault": becomes_default},
                registeredBy=reg.created_by,
            ),
        )
    )
    if becomes_default:
        announced.append(
            (
                "DefaultMethodChanged",
                events.detail(
                    caller,
                    now,
                    method_type=method.method_type,
                    method_id=method.method_id,
                    before={"defaultMethodId": None},
                    after={"defaultMethodId": method.method_id},
                ),
            )
        )
    return becomes_default, announced


def _current_default(profile: ProfileItem | None) -> str | None:
    return profile.default_method_id if profile is not None else None


def _save_method(
    deps: Deps,
    reg: RegistrationItem,
    method: MethodItem,
    kind: MethodKind,
    announced: Announced,
    group: str | None = None,
    *,
    registration_saved: bool = True,
    record: IdempotencyItem | None = None,
    linked: list[Item] | None = None,
    claims: list[Claim] | None = None,
    proved_at: float | None = None,
) -> None:
    """Save the new method, its counters and claims in one transaction. ``proved_at``: the
    registration was proved (a verification of the user) at that time, so the write is refused if
    the user got locked since, and it ends a run of failures."""
    counter = _counter(kind, group)
    user_id = reg.pk.removeprefix("USER#")
    actions = [*profile_touch(), ProfileItem.method_count.add(1), counter.add(1)]
    condition = (counter.does_not_exist() | (counter < kind.limit)) & same_clear_epoch(int(reg.epoch or 0))
    if proved_at is not None:
        actions += attempts.success_actions()
        condition = condition & attempts.not_locked(proved_at)
    if kind.mfa_capable:
        actions += [
            ProfileItem.mfa_count.add(1),
            ProfileItem.default_method_id.set(ProfileItem.default_method_id | method.method_id),
        ]
    done = NotFound("This registration was already completed or removed.")
    limit = _limit_error(kind)
    tw = outbox.Change(deps)
    try:
        # Added in the order the refusals are told when several conditions fail at once.
        with tw:
            tw.update(profile_ref(user_id), actions=actions, condition=condition, refusal=limit)
            for claim in linked or []:
                tw.save(
                    claim,
                    condition=Item.pk.does_not_exist(),
                    refusal=CredentialAlreadyRegistered(
                        "This security key is already registered. Use another key, or remove it first.",
                    ),
                )
            for taken in claims or []:
                tw.update(taken.item, actions=taken.actions, condition=taken.condition, refusal=taken.refusal)
            if record is not None:
                tw.save(
                    record,
                    condition=idempotency.expired_record_condition(record.created_at),
                    refusal=IdempotencyInProgress(
                        "A request with this Idempotency-Key is being handled; retry it in a moment.",
                    ),
                )
            tw.save(method, condition=MethodItem.pk.does_not_exist(), refusal=done)
            if registration_saved:
                tw.delete(reg, condition=RegistrationItem.pk.exists(), refusal=done)
            for detail_type, detail in announced:
                tw.emit(detail_type, detail)
    except TransactWriteError as error:
        if tw.refusal(error) is limit:
            # One condition on the profile holds all three: tell a clear or a lock as such.
            _explain_profile_refusal(reg, user_id, proved_at, registration_saved)
        tw.refuse(error)


def _explain_profile_refusal(
    reg: RegistrationItem, user_id: str, proved_at: float | None, registration_saved: bool
) -> None:
    profile = store.get_profile(user_id)
    if clear_epoch_of(profile) != int(reg.epoch or 0):
        if registration_saved:
            reg.delete()
        raise NotFound(
            "Your security info was cleared by an administrator while this was being set up; start again."
        )
    if proved_at is not None:
        attempts.ensure_unlocked(profile, proved_at)


def _count_wrong_code(
    deps: Deps, caller: Caller, policy: Policy, reg: RegistrationItem, wrong: InvalidCode
) -> None:
    """A wrong proof uses up one of the registration's tries and counts toward lockout (audited
    like every failure that counts)."""

    def use_try() -> int:
        try:
            reg.update(
                actions=[RegistrationItem.attempts_left.add(-1)],
                condition=RegistrationItem.attempts_left > 0,
            )
            return int(reg.attempts_left)
        except UpdateError:
            return 0

    left = attempts.wrong_answer(
        deps,
        caller,
        policy,
        use_try=use_try,
        method_type=reg.method_type,
        method_id=reg.method_id,
        purpose="registration",
    )
    if not left:
        reg.delete()
        raise CodeExpired("That code used up its tries. Start the registration again to get a new one.")
    wrong.attempts_left = left


def _limit_error(kind: MethodKind) -> Conflict:
    return MethodLimit(
        t(
            "You already have the most {type} methods allowed ({count}); remove one first.",
            type=kind.type_name,
            count=kind.limit,
        ),
    )
