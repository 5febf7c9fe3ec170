"""Resending a one-time code (``POST .../registrations/{id}/resend``, ``.../verifications/{id}/resend``).

A resend replaces the code (the newest one counts), is allowed 30 s after the last send at the
earliest, counts against the send limits, and never gives back a try: the registration's or
verification's tries and the user's failure count stay where they are. Idempotency-Key: a repeated
request answers as the first did and sends nothing.
"""

from __future__ import annotations

from typing import Any

from pynamodb.expressions.condition import Condition

from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import NotFound, RegistrationExpired
from securityinfo.kernel.masking import mask
from securityinfo.methods import onetime
from securityinfo.methods.coded import CodeKind
from securityinfo.methods.onetime import Write
from securityinfo.methods.registry import kind_of
from securityinfo.storage import idempotency, store
from securityinfo.storage.models import (
    PROFILE_SK,
    ProfileItem,
    RegistrationItem,
    VerificationItem,
    registration_sk,
)
from securityinfo.verify import attempts
from securityinfo.verify import verification as verification_flow
from securityinfo.verify.verification import ensure_pending


def resend_registration(
    deps: Deps, caller: Caller, registration_id: str, idempotency_key: str | None
) -> dict[str, Any]:
    """202 ``{sentTo, channel}``: a new code for a pending phone or email registration."""
    connection = deps.connection
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
        raise RegistrationExpired("This registration expired. Start again from 'Add sign-in method'.")
    attempts.ensure_unlocked(store.typed(profile_item, ProfileItem), now)
    channel, to = kind.registration_target(reg)
    meta = {
        "userId": caller.user_id,
        "methodType": reg.method_type,
        "methodId": reg.method_id,
        "registrationId": reg.registration_id,
        "correlationId": caller.correlation_id,
    }
    return _send_again(
        deps,
        caller,
        key,
        now,
        route=f"POST /me/methods/registrations/{registration_id}/resend",
        resource_id=registration_id,
        kind=kind,
        channel=channel,
        to=to,
        item=reg,
        item_id=reg.registration_id,
        still=None,
        meta=meta,
        resend={"registrationId": reg.registration_id},
    )


def resend_verification(
    deps: Deps, caller: Caller, verification_id: str, idempotency_key: str | None
) -> dict[str, Any]:
    """202 ``{sentTo, channel}``: a new code for a pending phone or email verification."""
    key = idempotency.check_key(idempotency_key)
    verification, method, profile = verification_flow.load(deps, caller.user_id, verification_id)
    kind = kind_of(method.method_type)
    if not isinstance(kind, CodeKind):
        raise NotFound("No such verification. Start a new one.")
    now = deps.clock.now()
    ensure_pending(verification, now)
    attempts.ensure_unlocked(profile, now)
    channel, to = kind.method_target(method)
    meta = {
        "userId": caller.user_id,
        "methodType": method.method_type,
        "methodId": method.method_id,
        "purpose": verification.purpose,
        "verificationId": verification.verification_id,
        "correlationId": caller.correlation_id,
    }
    return _send_again(
        deps,
        caller,
        key,
        now,
        route=f"POST /me/verifications/{verification_id}/resend",
        resource_id=verification_id,
        kind=kind,
        channel=channel,
        to=to,
        item=verification,
        item_id=verification.verification_id,
        still=VerificationItem.status == "pending",
        meta=meta,
        resend={"verificationId": verification.verification_id},
    )


def _send_again(
    deps: Deps,
    caller: Caller,
    key: str | None,
    now: float,
    *,
    route: str,
    resource_id: str,
    kind: CodeKind,
    channel: str,
    to: str,
    item: RegistrationItem | VerificationItem,
    item_id: str,
    still: Condition | None,
    meta: dict[str, Any],
    resend: dict[str, Any],
) -> dict[str, Any]:
    """The part both resends share: answer ``{sentTo, channel}``; unless the Idempotency-Key was
    seen, replace ``item``'s code (bound to ``item_id``) once the cooldown is over, count the send
    and deliver it. ``still``: what must hold at the write besides "no other send since"."""
    answer = {"sentTo": mask(channel, to), "channel": channel}
    if _repeated(caller, key, route, now):
        return answer
    wait = onetime.cooldown_left(item.last_sent_at, now)
    if wait:
        raise onetime.refuse_cooldown(wait)
    code = onetime.new_code(kind.digits)
    last = item.last_sent_at
    model = type(item)

    def renew(tw: store.Transaction) -> None:
        # The newest code replaces the old one and lives 10 minutes; the tries left are untouched,
        # and the write fails when another send came first (or the item is no longer pending).
        condition = still
        if last is not None:
            unchanged = model.last_sent_at == last
            condition = unchanged if condition is None else condition & unchanged
        tw.update(
            item,
            actions=[
                model.code_hash.set(onetime.digest(deps, item_id, code)),
                model.last_sent_at.set(now),
                model.expires_at.set(now + onetime.CODE_SECONDS),
                model.ttl.set(int(now + onetime.CODE_SECONDS + 86400)),
            ],
            condition=model.pk.exists() if condition is None else condition,
            refusal=onetime.refuse_cooldown(onetime.RESEND_SECONDS),
        )

    writes: list[Write] = [renew]
    writes += _record(caller, key, route, resource_id, now)
    outgoing = [onetime.code_message(deps, channel, to, code, meta)]
    onetime.save_counted(deps, caller.user_id, now, outgoing, writes)
    onetime.deliver(deps, caller, now, outgoing, resend=resend)
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

    def save(tw: store.Transaction) -> None:
        tw.save(
            item,
            condition=idempotency.expired_record_condition(now),
            refusal=onetime.refuse_cooldown(onetime.RESEND_SECONDS),
        )

    return [save]
