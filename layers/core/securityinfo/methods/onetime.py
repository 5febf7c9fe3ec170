"""One-time codes sent by text, call or email (docs/RULES.md): making, hashing, the send limits, sending.

* A code is 6 digits (email 8) from a CSPRNG; only its keyed hash is stored, bound to the
  registration or verification it was sent for. It lives 10 minutes; a resend replaces it.
* At most 5 sends per user per hour and 10 per phone number or address per day (the SMS pumping
  guard): sliding windows kept as the times of the last 5 (10) sends, newest first, one item per
  user and one per destination. The destination's item is keyed by a keyed hash of the number, so
  the limit spans every user without the table holding a list of numbers. Both windows move, each
  on condition that its oldest kept send is outside the span, in the same transaction that records
  the send (the registration or verification with the code's hash): one TransactWriteItems per sent
  code and no read of the windows before it, counting and sending cannot come apart, and DynamoDB
  checks the conditions at the write, so concurrent sends cannot overshoot.
* A resend no sooner than 30 s after the last send (``cooldown``).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events, metrics
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.delivery import CODE, DeliveryError, Message
from securityinfo.kernel.errors import DeliveryFailed, ResendTooSoon, TooManyCodes, TooManyRequests
from securityinfo.kernel.i18n import t
from securityinfo.kernel.logs import logger
from securityinfo.kernel.masking import mask
from securityinfo.storage import idempotency, outbox, store
from securityinfo.storage.models import (
    SEND_WINDOW_SK,
    CodeSendsItem,
    Item,
    SendWindowItem,
    code_send_slots,
    destination_pk,
    user_pk,
)

CODE_SECONDS = 600
RESEND_SECONDS = 30
USER_SENDS_PER_HOUR = 5
DESTINATION_SENDS_PER_DAY = 10
HOUR = 3600
DAY = 86400


def new_code(digits: int) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def digest(deps: Deps, binding: str, code: str) -> str:
    """The keyed hash stored for a code; bound to its registration or verification id, so a hash
    is worth nothing for any other one."""
    return deps.hasher.digest(f"{binding}:{code}", "one-time-code")


def matches(deps: Deps, binding: str, code: str, expected: str | None) -> bool:
    if not expected:
        return False
    return deps.hasher.matches(f"{binding}:{code}", "one-time-code", expected)


def compose(channel: str, code: str, issuer: str) -> tuple[str, str]:
    """(text, subject) of the message that carries ``code``."""
    minutes = CODE_SECONDS // 60
    if channel == "sms":
        return (
            f"{code} is your {issuer} verification code. It expires in {minutes} minutes. "
            "Don't share it with anyone.",
            "",
        )
    if channel == "voice":
        spoken = ", ".join(code)
        return (
            f"Hello. This is {issuer}. Your verification code is {spoken}. "
            f"Again, your code is {spoken}. If you did not ask for this code, hang up and tell your "
            "administrator.",
            "",
        )
    return (
        f"Your {issuer} verification code is {code}\n\n"
        f"It expires in {minutes} minutes. If you did not ask for it, someone may be trying to use "
        "your account: don't share the code, and tell your administrator.",
        f"Your {issuer} verification code",
    )


def code_message(deps: Deps, channel: str, to: str, code: str, meta: dict[str, str]) -> Message:
    text, subject = compose(channel, code, deps.totp_issuer)
    return Message(channel=channel, to=to, text=text, subject=subject, kind=CODE, meta=meta)


def cooldown_left(last_sent_at: float | None, now: float) -> int:
    """Seconds until a resend is allowed (0: now)."""
    if last_sent_at is None:
        return 0
    return max(0, math.ceil(last_sent_at + RESEND_SECONDS - now))


def refuse_cooldown(wait: int) -> TooManyRequests:
    return ResendTooSoon(
        t("A code was just sent. Wait {count} seconds before asking for another one.", count=wait),
        retry_after=wait,
    )


# --- send limits ----------------------------------------------------------------------------------


# Operations of a send's transaction, each added with the refusal its condition means.
Write = Callable[[store.Transaction], None]


class _WindowFull(Exception):
    """A send window had no room at the write: the 429 reads it for its ``retryAfter``."""

    def __init__(self, key: str, limit: int, span: int) -> None:
        super().__init__(key)
        self.key, self.limit, self.span = key, limit, span


def save_counted(
    deps: Deps, user_id: str, now: float, outgoing: Sequence[Message], writes: Sequence[Write]
) -> None:
    """Save a step's state (``writes``: the registration or verification with its code's hash, an
    idempotency record) in ONE transaction that also counts the code queued in ``outgoing``, if any,
    against the user's hour and the destination's day: one TransactWriteItems per sent code and no
    read before it. Each window's condition is checked by DynamoDB at the write (its oldest kept send
    must be outside the span), so concurrent sends cannot overshoot and counting and recording a
    send cannot come apart; a refused send writes nothing. 429 with ``retryAfter`` when a window is
    full; a failed condition of ``writes`` raises the refusal it was added with."""
    codes = [message for message in outgoing if message.kind == CODE]
    if len(codes) > 1:
        raise ValueError("one code per step")
    tw = store.Transaction(connection=deps.connection)
    try:
        with tw:
            # The callers' refusals first: they are told even when a window is full too.
            for write in writes:
                write(tw)
            if codes:
                dest_key = destination_pk(deps.hasher.digest(codes[0].to, "send-destination"))
                # The user's hour before the destination's day: the refusal told when both are full.
                _count(tw, now, _WindowFull(user_pk(user_id), USER_SENDS_PER_HOUR, HOUR))
                _count(tw, now, _WindowFull(dest_key, DESTINATION_SENDS_PER_DAY, DAY))
    except TransactWriteError as error:
        refusal = tw.refusal(error)
        if isinstance(refusal, _WindowFull):
            raise _too_many(refusal, now) from None
        tw.refuse(error)


def _count(tw: store.Transaction, now: float, window: _WindowFull) -> None:
    """Record a send in ``window``'s item: every kept send moves one place older and ``now`` becomes
    the newest, on condition that the oldest kept one (the limit-th newest) is outside the span, so
    this send is at most the limit-th inside it. One UpdateItem, which also creates the item.

    The kept sends are in the order they were recorded: a concurrent send that read the clock a
    moment earlier may sit before one that read it later, which moves the limit by that moment at
    most. DynamoDB evaluates every operand against the item as it was; the copies are listed from
    the oldest place up, so they read the same evaluated one by one."""
    slots = code_send_slots()[: window.limit]
    shifts = [slots[i].set(slots[i - 1] | 0) for i in range(len(slots) - 1, 0, -1)]
    oldest = slots[-1]
    tw.update(
        CodeSendsItem(window.key, SEND_WINDOW_SK),
        actions=[
            CodeSendsItem.kind.set(CodeSendsItem),
            *shifts,
            slots[0].set(now),
            CodeSendsItem.ttl.set(int(now + window.span + HOUR)),
        ],
        condition=oldest.does_not_exist() | (oldest <= now - window.span),
        refusal=window,
    )


def _too_many(full: _WindowFull, now: float) -> TooManyCodes:
    """The 429 for a full window, with the seconds until its oldest kept send leaves the span (read
    only now: a refused send is rare, the sends that go out read nothing)."""
    try:
        item = store.typed(Item.get(full.key, SEND_WINDOW_SK, consistent_read=True), CodeSendsItem)
    except Item.DoesNotExist:
        item = None
    oldest = getattr(item, code_send_slots()[full.limit - 1].attr_name, None) if item is not None else None
    wait = max(1, math.ceil(float(oldest) + full.span - now)) if oldest is not None else 1
    if full.span == HOUR:
        return TooManyCodes(
            t(
                "You have asked for too many codes. Try again in {count} minutes, or choose another method.",
                count=math.ceil(wait / 60),
            ),
            retry_after=wait,
        )
    return TooManyCodes(
        "Too many codes were sent to this number or address today. Try again later, "
        "or choose another method.",
        retry_after=wait,
    )


def advance_window(
    tw: store.Transaction,
    pk: str,
    sk: str,
    window: SendWindowItem | None,
    sent_at: list[float],
    ttl: int,
    refusal: Exception,
) -> None:
    """Record ``sent_at`` as the window's sends, conditioned on the window being as it was read
    (absent, or at its version): a concurrent send moves it, and ``refusal`` says so."""
    if window is None:
        item = SendWindowItem(pk, sk, sent_at=sent_at, version=1, ttl=ttl)
        tw.save(item, condition=SendWindowItem.pk.does_not_exist(), refusal=refusal)
        return
    tw.update(
        window,
        actions=[
            SendWindowItem.sent_at.set(sent_at),
            SendWindowItem.version.set(int(window.version) + 1),
            SendWindowItem.ttl.set(ttl),
        ],
        condition=SendWindowItem.version == int(window.version),
        refusal=refusal,
    )


# --- sending --------------------------------------------------------------------------------------


def save_new_then_send(
    deps: Deps,
    caller: Caller,
    now: float,
    outgoing: list[Message],
    item: Item,
    record: Item | None,
    undo: Callable[[], None],
    *,
    also: Sequence[Write] = (),
    after_save: Sequence[Callable[[], None]] = (),
) -> None:
    """Save a new registration or verification (and its idempotency record) in the transaction that
    counts its code, then send. ``idempotency.Raced`` when a request with the same key won; if the
    code cannot be sent, ``undo`` removes what was saved, so a retry with the same key sends again.
    ``also``: more operations of the same transaction (a push's place in its window, whose refusal
    is raised as such); ``after_save``: run once it committed, before the code goes out (the push)."""

    def save(tw: store.Transaction) -> None:
        tw.save(item, condition=type(item).pk.does_not_exist())
        if record is not None:
            tw.save(record, condition=idempotency.expired_record_condition(now), refusal=idempotency.Raced())

    save_counted(deps, caller.user_id, now, outgoing, [save, *also])
    for action in after_save:
        action()
    deliver(deps, caller, now, outgoing, undo=undo)


def deliver(
    deps: Deps,
    caller: Caller,
    now: float,
    outgoing: list[Message],
    *,
    undo: Callable[[], None] | None = None,
    resend: dict[str, Any] | None = None,
) -> None:
    """Send what a step queued, after its state was saved. A refused send emits CodeDeliveryFailed,
    runs ``undo`` (nothing half-done stays behind) and answers 502 naming how to go on."""
    while outgoing:
        message = outgoing.pop(0)
        try:
            deps.delivery.send(message)
        except DeliveryError as failure:
            outgoing.clear()
            failed(deps, caller, now, message, failure.error_type)
            if undo is not None:
                try:
                    undo()
                except Exception as exc:  # the 502 matters more; the leftover expires on its own
                    logger.warning("delivery_undo_failed", extra={"errorType": type(exc).__name__})
            raise DeliveryFailed(
                t(
                    "We couldn't send the code to {to}. Ask for a new code, or choose another method.",
                    to=mask(message.channel, message.to),
                )
                if resend
                else t(
                    "We couldn't send the code to {to}. Try again, or choose another method.",
                    to=mask(message.channel, message.to),
                ),
                extra=resend or {},
            ) from None
        logger.info(
            "code_sent" if message.kind == CODE else "notice_sent",
            extra={"channel": message.channel, "sentTo": mask(message.channel, message.to)},
        )


def failed(deps: Deps, caller: Caller, now: float, message: Message, error_type: str) -> None:
    """Log, count and emit CodeDeliveryFailed for a code that did not go out (masked, never the code)."""
    metrics.count(metrics.DELIVERY_FAILURES)
    meta = message.meta
    sent_to = mask(message.channel, message.to)
    logger.warning(
        "code_delivery_failed",
        extra={"channel": message.channel, "sentTo": sent_to, "errorType": error_type},
    )
    extra: dict[str, Any] = {
        "channel": message.channel,
        "sentTo": sent_to,
        "errorType": error_type[:100],
    }
    for name in ("purpose", "verificationId", "registrationId"):
        if meta.get(name):
            extra[name] = meta[name]
    # Nothing else changes: the event is the whole write.
    outbox.record(
        deps,
        "CodeDeliveryFailed",
        events.detail(
            caller,
            now,
            user_id=meta.get("userId") or caller.user_id,
            method_type=meta.get("methodType") or None,
            method_id=meta.get("methodId") or None,
            **extra,
        ),
    )
