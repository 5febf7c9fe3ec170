"""Registering a method: begin (step-up, limits, the type's setup) and complete (the proof)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from . import events, idempotency, lockout, runtime, stepup, store
from .clock import iso
from .context import Caller, Deps
from .crypto import random_id
from .errors import BadRequest, Conflict, Gone, InvalidCode, NotFound
from .methods import REGISTRY, kind_of
from .methods.base import MethodContext, MethodKind
from .models import (
    PROFILE_SK,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    method_sk,
    profile_ref,
    profile_touch,
    registration_sk,
    user_pk,
)
from .policy import METHOD_TYPES, Policy, current_policy
from .validation import Field, validate
from .views import describe

CODE_TRIES = 5
ROUTE = "POST /me/methods"

# Shared limits are counters on the profile, raised in the same transaction that saves the method.
LIMIT_COUNTERS: dict[str, NumberAttribute] = {"oath": ProfileItem.oath_count}


def _counter(kind: MethodKind) -> NumberAttribute:
    return LIMIT_COUNTERS[kind.limit_group]


def _count(profile: ProfileItem | None, kind: MethodKind) -> int:
    if profile is None:
        return 0
    return int(getattr(profile, _counter(kind).attr_name) or 0)


def _kind_for(body: Any) -> MethodKind:
    head = validate(
        {"type": body.get("type")} if isinstance(body, dict) else body,
        {"type": Field(str, required=True, choices=METHOD_TYPES)},
    )
    type_name = head["type"]
    if type_name not in REGISTRY:
        raise BadRequest(
            f"{type_name} cannot be registered yet; choose another method.",
            code="method_type_unavailable",
            field="type",
        )
    return kind_of(type_name)


def begin(deps: Deps, caller: Caller, body: Any, idempotency_key: str | None) -> dict[str, Any]:
    """Start a registration: 201 with what the client shows to prove the new method."""
    connection = runtime.connection()
    kind = _kind_for(body)
    data = validate(body, {"type": Field(str, required=True), **kind.registration_schema})
    key = idempotency.check_key(idempotency_key)
    policy = current_policy()
    if not policy.type_enabled(kind.type_name):
        raise BadRequest(
            f"Your organization does not allow {kind.type_name}; choose another method.",
            code="method_type_disabled",
            field="type",
        )
    now = deps.clock.now()
    profile = store.get_profile(caller.user_id)
    stepup.require(caller, policy, now, profile, profile_known=True)
    if _count(profile, kind) >= kind.limit:
        raise _limit_error(kind)
    ctx = MethodContext(deps, caller, policy, now)
    digest = idempotency.request_hash(ROUTE, data)
    if key is not None:
        earlier = idempotency.earlier(caller.user_id, key, ROUTE, digest, now)
        if earlier is not None:
            return _replay(ctx, earlier)
    rid = random_id("r")
    reg = RegistrationItem(
        user_pk(caller.user_id),
        registration_sk(rid),
        registration_id=rid,
        method_id=random_id("m"),
        method_type=kind.type_name,
        display_name=data.get("displayName") or kind.default_display_name,
        created_at=now,
        expires_at=now + kind.registration_seconds,
        attempts_left=CODE_TRIES,
        created_by=caller.actor,
        created_ip=caller.source_ip,
        created_user_agent=(caller.user_agent or "")[:256] or None,
        ttl=int(now + kind.registration_seconds + 86400),
    )
    answer = kind.begin_registration(ctx, reg, data)
    try:
        with TransactWrite(connection=connection) as tw:
            tw.save(reg, condition=RegistrationItem.pk.does_not_exist())
            if key is not None:
                tw.save(
                    idempotency.record(caller.user_id, key, ROUTE, digest, rid, now),
                    condition=idempotency.expired_record_condition(now),
                )
    except TransactWriteError:
        # A concurrent request with the same key won: answer as it did.
        if key is not None:
            earlier = idempotency.earlier(caller.user_id, key, ROUTE, digest, now)
            if earlier is not None:
                return _replay(ctx, earlier)
        raise
    return {"registrationId": rid, "type": kind.type_name, "expiresAt": iso(reg.expires_at), **answer}


def _replay(ctx: MethodContext, registration_id: str) -> dict[str, Any]:
    try:
        reg = RegistrationItem.get(user_pk(ctx.caller.user_id), registration_sk(registration_id))
    except RegistrationItem.DoesNotExist:
        raise Conflict(
            "That request was already handled and its registration is gone; use a new Idempotency-Key.",
            code="idempotency_key_reused",
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
    connection = runtime.connection()
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
        raise Gone(
            "This registration expired. Start again from 'Add sign-in method'.", code="registration_expired"
        )
    kind = kind_of(reg.method_type)
    data = validate(body, kind.completion_schema)
    policy = current_policy()
    lockout.ensure_unlocked(profile, now)
    ctx = MethodContext(deps, caller, policy, now)
    try:
        registered = kind.complete_registration(ctx, reg, data)
    except InvalidCode as wrong:
        _count_wrong_code(deps, caller, policy, reg, wrong)
        raise
    method = registered.method
    method.pk = reg.pk
    method.sk = method_sk(reg.method_id)
    method.method_id = reg.method_id
    method.method_type = reg.method_type
    method.display_name = reg.display_name
    method.created_at = now
    method.created_by = reg.created_by
    method.created_ip = reg.created_ip
    method.created_user_agent = reg.created_user_agent
    becomes_default = kind.mfa_capable and (profile is None or not profile.default_method_id)
    _save_method(connection, reg, method, kind)
    deps.events.put(
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
    if becomes_default:
        deps.events.put(
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
    return {
        "method": describe(method, method.method_id if becomes_default else _current_default(profile)),
        **registered.answer,
    }


def _current_default(profile: ProfileItem | None) -> str | None:
    return profile.default_method_id if profile is not None else None


def _save_method(connection: Any, reg: RegistrationItem, method: MethodItem, kind: MethodKind) -> None:
    counter = _counter(kind)
    actions = [
        *profile_touch(),
        ProfileItem.method_count.add(1),
        ProfileItem.failed_count.set(0),
        counter.add(1),
    ]
    if kind.mfa_capable:
        actions += [
            ProfileItem.mfa_count.add(1),
            ProfileItem.default_method_id.set(ProfileItem.default_method_id | method.method_id),
        ]
    try:
        with TransactWrite(connection=connection) as tw:
            tw.save(method, condition=MethodItem.pk.does_not_exist())
            tw.delete(reg, condition=RegistrationItem.pk.exists())
            tw.update(
                profile_ref(reg.pk.removeprefix("USER#")),
                actions=actions,
                condition=counter.does_not_exist() | (counter < kind.limit),
            )
    except TransactWriteError as error:
        failed = store.failed_conditions(error)
        if len(failed) == 3 and failed[2]:
            raise _limit_error(kind) from None
        if any(failed):
            raise NotFound("This registration was already completed or removed.") from None
        raise


def _count_wrong_code(
    deps: Deps, caller: Caller, policy: Policy, reg: RegistrationItem, wrong: InvalidCode
) -> None:
    """A wrong proof uses up one of the registration's tries and counts toward lockout."""
    try:
        reg.update(
            actions=[RegistrationItem.attempts_left.add(-1)],
            condition=RegistrationItem.attempts_left > 0,
        )
        left = int(reg.attempts_left)
    except UpdateError:
        left = 0
    lockout.record_failure(deps, caller, policy)
    if left <= 0:
        reg.delete()
        raise Gone(
            "That code used up its tries. Start the registration again to get a new one.", code="code_expired"
        )
    wrong.attempts_left = left


def _limit_error(kind: MethodKind) -> Conflict:
    return Conflict(
        f"You already have the most {kind.type_name} methods allowed ({kind.limit}); remove one first.",
        code="method_limit",
    )
