"""Resending a one-time code (``POST .../registrations/{id}/resend``, ``.../verifications/{id}/resend``).

A resend replaces the code (the newest one counts), is allowed 30 s after the last send at the
earliest, counts against the send limits, and never gives back a try: the registration's or
verification's tries and the user's failure count stay where they are. Idempotency-Key: a repeated
request answers as the first did and sends nothing.
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from . import idempotency, lockout, onetime, runtime, store
from .context import Caller, Deps
from .crypto import random_id
from .errors import Gone, NotFound
from .masking import mask
from .methods import kind_of
from .methods.coded import CodeKind
from .models import (
    PROFILE_SK,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    VerificationItem,
    method_sk,
    registration_sk,
    verification_sk,
)
from .onetime import Write
from .verification import status_of


def resend_registration(
    deps: Deps, caller: Caller, registration_id: str, idempotency_key: str | None
) -> dict[str, Any]:
    """202 ``{sentTo, channel}``: a new code for a pending phone or email registration."""
    connection = runtime.connection()
    key = idempotency.check_key(idempotency_key)
    if not registration_id or len(registration_id) > 100:
        raise NotFound("No such registration. Start again from 'Add sign-in method'.")
    reg_item, profile_item = store.get_many(
        connection, caller.user_id, registration_sk(registration_id), PROFILE_SK
    )
    reg = store.typed(reg_item, RegistrationItem)
    kind = kind_of(reg.method_type) if reg is not None else None
    if reg is None or not isinstance(kind, CodeKind):
        raise NotFound("No such registration. Start again from 'Add sign-in method'.")
    now = deps.clock.now()
    if reg.expires_at <= now:
        raise Gone(
            "This registration expired. Start again from 'Add sign-in method'.", code="registration_expired"
        )
    lockout.ensure_unlocked(store.typed(profile_item, ProfileItem), now)
    channel, to = kind.registration_target(reg)
    answer = {"sentTo": mask(channel, to), "channel": channel}
    route = f"POST /me/methods/registrations/{registration_id}/resend"
    if _repeated(caller, key, route, now):
        return answer
    wait = onetime.cooldown_left(reg.last_sent_at, now)
    if wait:
        raise onetime.refuse_cooldown(wait)
    code = onetime.new_code(kind.digits)
    last = reg.last_sent_at

    def renew(tw: TransactWrite) -> None:
        # The newest code replaces the old one and lives 10 minutes; attempts_left is untouched.
        tw.update(
            reg,
            actions=[
                RegistrationItem.code_hash.set(onetime.digest(deps, reg.registration_id, code)),
                RegistrationItem.last_sent_at.set(now),
                RegistrationItem.expires_at.set(now + onetime.CODE_SECONDS),
                RegistrationItem.ttl.set(int(now + onetime.CODE_SECONDS + 86400)),
            ],
            condition=RegistrationItem.last_sent_at == last
            if last is not None
            else RegistrationItem.pk.exists(),
        )

    writes = [Write(renew, lambda: onetime.refuse_cooldown(onetime.RESEND_SECONDS))]
    writes += _record(caller, key, route, registration_id, now)
    onetime.reserve_send(deps, caller.user_id, to, now, also=writes)
    meta = {
        "userId": caller.user_id,
        "methodType": reg.method_type,
        "methodId": reg.method_id,
        "registrationId": reg.registration_id,
        "correlationId": caller.correlation_id,
    }
    outgoing = [onetime.code_message(deps, channel, to, code, meta)]
    onetime.deliver(deps, caller, now, outgoing, resend={"registrationId": reg.registration_id})
    return answer


def resend_verification(
    deps: Deps, caller: Caller, verification_id: str, idempotency_key: str | None
) -> dict[str, Any]:
    """202 ``{sentTo, channel}``: a new code for a pending phone or email verification."""
    connection = runtime.connection()
    key = idempotency.check_key(idempotency_key)
    method_id, dot, rest = verification_id.partition(".")
    if not (dot and method_id and rest) or len(verification_id) > 100:
        raise NotFound("No such verification. Start a new one.")
    verification_item, method_item, profile_item = store.get_many(
        connection, caller.user_id, verification_sk(verification_id), method_sk(method_id), PROFILE_SK
    )
    verification = store.typed(verification_item, VerificationItem)
    method = store.typed(method_item, MethodItem)
    kind = kind_of(method.method_type) if method is not None else None
    if verification is None or method is None or not isinstance(kind, CodeKind):
        raise NotFound("No such verification. Start a new one.")
    now = deps.clock.now()
    state = status_of(verification, now)
    if state == "expired":
        raise Gone("This verification expired. Start a new one.", code="verification_expired")
    if state != "pending":
        raise Gone("This verification is already finished. Start a new one.", code="verification_finished")
    lockout.ensure_unlocked(store.typed(profile_item, ProfileItem), now)
    channel, to = kind.method_target(method)
    answer = {"sentTo": mask(channel, to), "channel": channel}
    route = f"POST /me/verifications/{verification_id}/resend"
    if _repeated(caller, key, route, now):
        return answer
    wait = onetime.cooldown_left(verification.last_sent_at, now)
    if wait:
        raise onetime.refuse_cooldown(wait)
    code = onetime.new_code(kind.digits)
    last = verification.last_sent_at

    def renew(tw: TransactWrite) -> None:
        condition = VerificationItem.status == "pending"
        if last is not None:
            condition = condition & (VerificationItem.last_sent_at == last)
        tw.update(
            verification,
            actions=[
                VerificationItem.code_hash.set(onetime.digest(deps, verification.verification_id, code)),
                VerificationItem.last_sent_at.set(now),
                VerificationItem.expires_at.set(now + onetime.CODE_SECONDS),
                VerificationItem.ttl.set(int(now + onetime.CODE_SECONDS + 86400)),
            ],
            condition=condition,
        )

    writes = [Write(renew, lambda: onetime.refuse_cooldown(onetime.RESEND_SECONDS))]
    writes += _record(caller, key, route, verification_id, now)
    onetime.reserve_send(deps, caller.user_id, to, now, also=writes)
    meta = {
        "userId": caller.user_id,
        "methodType": method.method_type,
        "methodId": method.method_id,
        "purpose": verification.purpose,
        "verificationId": verification.verification_id,
        "correlationId": caller.correlation_id,
    }
    outgoing = [onetime.code_message(deps, channel, to, code, meta)]
    onetime.deliver(deps, caller, now, outgoing, resend={"verificationId": verification.verification_id})
    return answer


def _repeated(caller: Caller, key: str | None, route: str, now: float) -> bool:
    """True when this Idempotency-Key already sent a code for this route (answer again, send nothing)."""
    if key is None:
        return False
    return (
        idempotency.earlier(caller.user_id, key, route, idempotency.request_hash(route, {}), now) is not None
    )


def _record(caller: Caller, key: str | None, route: str, resource_id: str, now: float) -> list[Write]:
    if key is None:
        return []
    item = idempotency.record(
        caller.user_id,
        key,
        route,
        idempotency.request_hash(route, {}),
        f"{resource_id}#{random_id('s')}",
        now,
    )

    def save(tw: TransactWrite) -> None:
        tw.save(item, condition=idempotency.expired_record_condition(now))

    return [Write(save, lambda: onetime.refuse_cooldown(onetime.RESEND_SECONDS))]
