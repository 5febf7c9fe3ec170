"""Verifications for sign-in (mfa), password reset (sspr) and step-up: start, read, complete."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import (
    CodeExpired,
    DependencyFailed,
    InvalidCode,
    InvalidField,
    MethodNotAllowedForPurpose,
    NoMethodRegistered,
    NotFound,
    ReplayedCode,
    TooManyPushRequests,
    VerificationDenied,
    VerificationExpired,
    VerificationFinished,
)
from securityinfo.kernel.i18n import t
from securityinfo.kernel.logs import logger
from securityinfo.kernel.validation import Field, Schema, validate
from securityinfo.methods import onetime
from securityinfo.methods.base import (
    MFA,
    PURPOSES,
    SSPR,
    STEP_UP,
    MethodContext,
    MethodKind,
    Pending,
    StaleMethod,
)
from securityinfo.methods.registry import kind_of
from securityinfo.methods.views import default_method_id
from securityinfo.policy.model import current_policy
from securityinfo.storage import idempotency, outbox, store
from securityinfo.storage.models import (
    PROFILE_SK,
    PUSH_WINDOW_SK,
    IdempotencyItem,
    MethodItem,
    ProfileItem,
    SendWindowItem,
    VerificationItem,
    idempotency_sk,
    method_sk,
    user_pk,
    verification_sk,
)
from securityinfo.verify import attempts, push_fatigue, remembered_devices, sspr, stepup

TRIES = 5
# Re-checks of an answer whose method moved meanwhile (a recovery set: each move is one code used).
STALE_TRIES = 12
ROUTE = "POST /me/verifications"
START_SCHEMA = {
    "purpose": Field(str, required=True, choices=PURPOSES),
    "methodId": Field(str, min_len=1, max_len=100),
}
_PURPOSE_WORDS = {
    MFA: t("two-step verification"),
    SSPR: t("password reset"),
    STEP_UP: t("verifying your identity"),
}


def completion_schema(kind: MethodKind) -> Schema:
    """What POST /me/verifications/{id} takes for a method of ``kind`` (the API document's too)."""
    return {**kind.verification_schema, "rememberDevice": Field(bool)}


def method_id_of(verification_id: str) -> str | None:
    """Verification ids carry their method id, so one read fetches verification, method and profile."""
    method_id, dot, rest = verification_id.partition(".")
    return method_id if dot and method_id and rest and len(verification_id) <= 100 else None


def start(deps: Deps, caller: Caller, body: Any, idempotency_key: str | None) -> dict[str, Any]:
    """Pick the method (or the default), prepare or send the challenge: 201."""
    connection = deps.connection
    data = validate(body, START_SCHEMA)
    key = idempotency.check_key(idempotency_key)
    purpose = data["purpose"]
    now = deps.clock.now()
    pushes: SendWindowItem | None = None
    if "methodId" in data:
        # The push window comes along in the same read: a push start needs it, others ignore it.
        method_item, profile_item, window_item = store.get_many(
            connection, caller.user_id, method_sk(data["methodId"]), PROFILE_SK, PUSH_WINDOW_SK
        )
        method = store.typed(method_item, MethodItem)
        profile = store.typed(profile_item, ProfileItem)
        pushes = store.typed(window_item, SendWindowItem)
        if method is None:
            raise NotFound("No such method. Choose one of your registered methods.")
    else:
        profile, methods = store.methods_and_profile(caller.user_id)
        method = _default_for(purpose, profile, methods)
    attempts.ensure_unlocked(profile, now)
    kind = kind_of(method.method_type)
    _check_purpose(kind, purpose)
    policy = current_policy()
    if kind.sends_push and "methodId" not in data:
        pushes = push_fatigue.read(caller.user_id)
    ctx = MethodContext(deps, caller, policy, now)
    digest, earlier = idempotency.look_up(caller.user_id, key, ROUTE, data, now)
    if earlier is not None:
        return _replay(ctx, earlier)
    vid = f"{method.method_id}.{random_id('v')}"
    verification = VerificationItem(
        user_pk(caller.user_id),
        verification_sk(vid),
        verification_id=vid,
        method_id=method.method_id,
        method_type=method.method_type,
        purpose=purpose,
        status="pending",
        created_at=now,
        expires_at=now + kind.verification_seconds,
        attempts_left=TRIES,
        ttl=int(now + kind.verification_seconds + 86400),
    )
    if kind.sends_push:
        push_fatigue.ensure_room(deps, caller, policy, now, pushes)
    challenge = kind.start_verification(ctx, method, verification)
    record = idempotency.record(caller.user_id, key, ROUTE, digest, vid, now) if key is not None else None

    # Each lost race means another push was counted, so the window fills within the limit's tries.
    for _ in range(policy.push_per_10_minutes + 2):
        also = [push_fatigue.count(pushes, caller.user_id, now)] if kind.sends_push else []
        try:
            # One transaction saves the verification (with its code's hash) and counts the send, or
            # the push; the code or the push goes out only after that.
            onetime.save_new_then_send(
                deps,
                caller,
                now,
                ctx.outgoing,
                verification,
                record,
                undo=lambda: _forget(verification, caller.user_id, key),
                also=also,
                after_save=ctx.after_save,
            )
        except idempotency.Raced:
            return _replay(ctx, idempotency.winner(caller.user_id, key, ROUTE, digest, now))
        except push_fatigue.Moved:
            pushes = push_fatigue.read(caller.user_id)
            push_fatigue.ensure_room(deps, caller, policy, now, pushes)
            continue
        break
    else:
        raise TooManyPushRequests(
            "Too many sign-in requests are being sent at once. Try again in a minute.", retry_after=60
        )
    return _started(verification, challenge)


def _forget(verification: VerificationItem, user_id: str, key: str | None) -> None:
    verification.delete()
    if key is not None:
        IdempotencyItem(user_pk(user_id), idempotency_sk(key)).delete()


def _started(verification: VerificationItem, challenge: dict[str, Any]) -> dict[str, Any]:
    return {
        "verificationId": verification.verification_id,
        "methodId": verification.method_id,
        "type": verification.method_type,
        "purpose": verification.purpose,
        "expiresAt": iso(verification.expires_at),
        "challenge": challenge,
    }


def _replay(ctx: MethodContext, verification_id: str) -> dict[str, Any]:
    verification, method = _load(ctx.deps, ctx.caller.user_id, verification_id)
    kind = kind_of(method.method_type)
    return _started(verification, kind.challenge(ctx, method, verification))


def _default_for(purpose: str, profile: ProfileItem | None, methods: list[MethodItem]) -> MethodItem:
    chosen = default_method_id(profile, methods)
    if purpose == SSPR and chosen is None:
        usable = [m for m in methods if SSPR in kind_of(m.method_type).usable_for]
        chosen = usable[0].method_id if usable else None
    for method in methods:
        if method.method_id == chosen:
            return method
    raise NoMethodRegistered(
        t(
            "You have no method for {purpose} yet. Register one under Security info first.",
            purpose=_PURPOSE_WORDS[purpose],
        ),
    )


def _check_purpose(kind: MethodKind, purpose: str) -> None:
    needed = MFA if purpose == STEP_UP else purpose
    if needed not in kind.usable_for:
        uses = [_PURPOSE_WORDS[p] for p in kind.usable_for]
        only = uses[0] if len(uses) == 1 else t("{first} and {second}", first=uses[0], second=uses[1])
        raise MethodNotAllowedForPurpose(
            t(
                "{type} can be used for {only} only; choose another method for {purpose}.",
                type=kind.type_name,
                only=only,
                purpose=_PURPOSE_WORDS[purpose],
            ),
            field="methodId",
        )


def _load(deps: Deps, user_id: str, verification_id: str) -> tuple[VerificationItem, MethodItem]:
    method_id = method_id_of(verification_id)
    if method_id is None:
        raise NotFound("No such verification. Start a new one.")
    verification_item, method_item = store.get_many(
        deps.connection, user_id, verification_sk(verification_id), method_sk(method_id)
    )
    verification = store.typed(verification_item, VerificationItem)
    method = store.typed(method_item, MethodItem)
    if verification is None or method is None:
        raise NotFound("No such verification. Start a new one.")
    return verification, method


def status_of(verification: VerificationItem, now: float) -> str:
    if verification.status != "pending":
        return verification.status
    if verification.expires_at <= now:
        return "expired"
    # Approved out of band (the authenticator app's push): the next completion collects it.
    return "approved" if verification.approved_at is not None else "pending"


def ensure_pending(verification: VerificationItem, now: float) -> None:
    """410 unless the verification still waits for its answer (or a new code)."""
    state = status_of(verification, now)
    if state == "expired":
        raise VerificationExpired("This verification expired. Start a new one.")
    if state == "denied":
        raise VerificationDenied("This request was denied in the authenticator app. Start a new one.")
    # The stored status, not the derived one: a push the device approved is collected here.
    if verification.status != "pending":
        raise VerificationFinished("This verification is already finished. Start a new one.")


def read(deps: Deps, caller: Caller, verification_id: str) -> dict[str, Any]:
    """Where a verification stands (push polling)."""
    if method_id_of(verification_id) is None:
        raise NotFound("No such verification. Start a new one.")
    try:
        verification = VerificationItem.get(user_pk(caller.user_id), verification_sk(verification_id))
    except VerificationItem.DoesNotExist:
        raise NotFound("No such verification. Start a new one.") from None
    return {
        "verificationId": verification.verification_id,
        "methodId": verification.method_id,
        "type": verification.method_type,
        "purpose": verification.purpose,
        "status": status_of(verification, deps.clock.now()),
        "expiresAt": iso(verification.expires_at),
    }


def load(
    deps: Deps, user_id: str, verification_id: str
) -> tuple[VerificationItem, MethodItem, ProfileItem | None]:
    """The verification, its method and the user's profile in one read; 404 when either of the
    first two is gone (another user's id reads nothing, so it is the same 404)."""
    method_id = method_id_of(verification_id)
    if method_id is None:
        raise NotFound("No such verification. Start a new one.")
    verification_item, method_item, profile_item = store.get_many(
        deps.connection, user_id, verification_sk(verification_id), method_sk(method_id), PROFILE_SK
    )
    verification = store.typed(verification_item, VerificationItem)
    method = store.typed(method_item, MethodItem)
    if verification is None or method is None:
        raise NotFound("No such verification. Start a new one.")
    return verification, method, store.typed(profile_item, ProfileItem)


def complete(deps: Deps, caller: Caller, verification_id: str, body: Any) -> dict[str, Any]:
    """Check the answer. Two table calls on the success path: one read, one transaction."""
    verification, method, profile = load(deps, caller.user_id, verification_id)
    kind = kind_of(method.method_type)
    data = validate(body, completion_schema(kind))
    now = deps.clock.now()
    ensure_pending(verification, now)
    if data.get("rememberDevice") and verification.purpose != MFA:
        raise InvalidField(
            "rememberDevice applies to sign-in (mfa) verifications only.",
            field="rememberDevice",
        )
    attempts.ensure_unlocked(profile, now)
    policy = current_policy()
    ctx = MethodContext(deps, caller, policy, now)
    try:
        remember = remembered_devices.generation_of(profile) if data.get("rememberDevice") else None
        for _ in range(STALE_TRIES):
            proof = kind.check_verification(ctx, method, verification, data)
            try:
                return _approve(ctx, verification, method, proof, profile, remember_generation=remember)
            except StaleMethod:
                # Another code of the same set was used meanwhile: check this one against the set
                # as it is now (it may be the one just used: then it is wrong).
                method = _reread(deps, caller.user_id, method)
        raise DependencyFailed("Too many codes are being used at once. Try again.")
    except Pending as waiting:
        # Waiting for the authenticator app: 202, and the client asks again.
        return {"status": "pending", "verificationId": verification.verification_id, **waiting.answer}
    except InvalidCode as wrong:
        _fail(ctx, verification, wrong)
        raise


def _reread(deps: Deps, user_id: str, method: MethodItem) -> MethodItem:
    try:
        return MethodItem.get(user_pk(user_id), method_sk(method.method_id), consistent_read=True)
    except MethodItem.DoesNotExist:
        raise NotFound("No such verification. Start a new one.") from None


def _approve(
    ctx: MethodContext,
    verification: VerificationItem,
    method: MethodItem,
    proof: Any,
    profile: ProfileItem | None,
    *,
    remember_generation: int | None = None,
) -> dict[str, Any]:
    """Approve atomically; ``remember_generation`` (the profile's, read with the verification) asks
    for a remembered-device token: a forget-all since that read leaves the new token revoked."""
    caller, now, policy = ctx.caller, ctx.now, ctx.policy
    answer: dict[str, Any] = {
        "status": "approved",
        "verificationId": verification.verification_id,
        "methodId": method.method_id,
        "purpose": verification.purpose,
    }
    grant = None
    if verification.purpose == STEP_UP:
        token, grant = stepup.new_grant(caller.user_id, verification.verification_id, now, policy)
        answer["stepUpToken"] = token
        answer["stepUpExpiresAt"] = iso(now + policy.step_up_seconds)
    device = None
    if remember_generation is not None and policy.remember_device_days > 0:
        token, device = remembered_devices.new_device(
            caller.user_id, caller, now, policy.remember_device_days, remember_generation
        )
        answer["rememberDeviceToken"] = token
        answer["rememberDeviceExpiresAt"] = iso(device.expires_at)
        answer["rememberedDeviceId"] = device.device_id
    method_condition = MethodItem.pk.exists()
    if proof.condition is not None:
        method_condition = method_condition & proof.condition
    tw = outbox.Change(ctx.deps)
    try:
        with tw:
            tw.update(
                verification,
                actions=[VerificationItem.status.set("approved")],
                condition=VerificationItem.status == "pending",
                refusal=VerificationFinished("This verification is already finished. Start a new one."),
            )
            tw.update(
                method,
                actions=[*proof.actions, MethodItem.last_used_at.set(now)],
                condition=method_condition,
                # The same code won in a concurrent request: this one is a replay.
                refusal=proof.refusal
                or ReplayedCode("That code was already used. Wait for the next code in your app."),
            )
            # Refused if the user was locked since the read; ends a run of failures.
            attempts.succeeded(tw, caller.user_id, now, policy, profile)
            if grant is not None:
                tw.save(grant)
            if device is not None:
                tw.save(device)
            tw.emit(
                "VerificationSucceeded",
                events.detail(
                    caller,
                    now,
                    method_type=method.method_type,
                    method_id=method.method_id,
                    purpose=verification.purpose,
                ),
            )
            # What the type adds to the approval's events (a recovery code used, and how many left).
            kind_of(method.method_type).approved(tw, ctx, method, verification.purpose, proof)
    except TransactWriteError as error:
        tw.refuse(error)
    if verification.purpose == SSPR:
        # With the policy's 2 methods, only the second distinct one completes the reset.
        answer.update(sspr.record_approval(caller.user_id, method.method_id, now, policy))
    return answer


def _fail(ctx: MethodContext, verification: VerificationItem, wrong: InvalidCode) -> None:
    """A wrong answer: one try of this verification used, a failure toward lockout, an event."""
    caller = ctx.caller
    replay = isinstance(wrong, ReplayedCode)
    if replay:
        logger.warning(
            "totp_replay_refused", extra={"methodId": verification.method_id, "userId": caller.user_id}
        )

    def use_try() -> int:
        try:
            verification.update(
                actions=[VerificationItem.attempts_left.add(-1)], condition=VerificationItem.attempts_left > 0
            )
            left = int(verification.attempts_left)
        except UpdateError:
            left = 0
        if left <= 0:
            verification.update(actions=[VerificationItem.status.set("expired")])
        return left

    left = attempts.wrong_answer(
        ctx.deps,
        caller,
        ctx.policy,
        use_try=use_try,
        method_type=verification.method_type,
        method_id=verification.method_id,
        purpose=verification.purpose,
        reason="replay" if replay else "wrong_answer",
    )
    if not left:
        raise CodeExpired("That verification used up its tries. Start a new one.")
    wrong.attempts_left = left
