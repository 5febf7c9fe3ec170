"""Change notices (docs/RULES.md): tell the user on every channel they have when their security info
changed, with a "this wasn't me" hint.

The notifier reads events from a queue (EventBridge rule -> SQS with a dead-letter queue). It sends
to the phones (mobiles by text, office lines by call) and the email address the user has now, but
not to the one just added; and to the one just removed or replaced: the change wrote a short-lived
``NotifyTargetItem`` in the same transaction and the event carries only its reference
(``notifyRef``), never the number. Events are at-least-once, so each (eventId, target) is claimed
with a conditional put before it is sent: a redelivered event sends nothing twice.

Every administrator action on a user's account is told too (docs/RULES.md): a clear
(every method is gone by then, so the clear wrote a notify target per former phone and address and
the event carries their references as ``notifyRefs``), deleted app passwords, forgotten remembered
devices, a temporary access pass, an unlock. Those notices say to contact the IT department.

A notice is in the user's language: the identity provider's ``locale`` claim, kept on the profile by
the user's own requests (``store.remember_locale``), else English. Its words are keys of the API's
catalogues (kernel/messages/<language>.json, kernel/i18n.py).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from pynamodb.exceptions import PutError

from securityinfo.kernel import metrics
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.delivery import NOTICE, DeliveryError, Message
from securityinfo.kernel.i18n import Text, language_of_locale, t
from securityinfo.kernel.logs import logger
from securityinfo.kernel.masking import mask
from securityinfo.methods.registry import REGISTRY, kind_of
from securityinfo.storage import store
from securityinfo.storage.models import (
    MethodItem,
    NoticeSentItem,
    NotifyTargetItem,
    notice_sk,
    notify_target_sk,
    user_pk,
)

TARGET_SECONDS = 7 * 86400
MARKER_SECONDS = 7 * 86400
HINT = t(
    "If this wasn't you, go to My Sign-Ins > Security info now, remove anything you don't recognize, "
    "and tell your administrator."
)
ADMIN_HINT = t("If this wasn't at your request, contact your IT department now.")
# A report is told on every channel; someone else may have made it (with the user's session).
REPORT_HINT = t(
    "If you did not report this, sign in to My Sign-Ins > Security info now and tell your administrator."
)
REPORT_SUBJECT = t("You reported activity that wasn't you")
SUBJECT = t("Your security info changed")
ADMIN_SUBJECT = t("An administrator changed your sign-in settings")
# The notices of administrators' actions (the notify rule for them matches actor admin:*).
ADMIN_ACTIONS = (
    "SecurityInfoCleared",
    "AppPasswordDeleted",
    "RememberedDevicesForgotten",
    "TemporaryAccessPassIssued",
    "UserUnlocked",
    "UserRiskDismissed",
)
_MAX_REFS = 50


class NoticeNotSent(Exception):
    """A provider refused a notice; the queue redelivers the event (only unsent targets go out)."""


class Target(NamedTuple):
    source: str  # a method id, or "t" + a notify-target reference: the dedupe key of its notice
    channel: str
    address: str


# --- written by the changes -----------------------------------------------------------------------


def removal_target(user_id: str, method: MethodItem, now: float) -> NotifyTargetItem | None:
    """The contact of a method about to be removed or replaced, kept so its owner hears about it.
    Save it in the change's transaction; put ``target_ref(item)`` into the event as ``notifyRef``."""
    contact = kind_of(method.method_type).contact(method)
    if contact is None:
        return None
    ref = random_id("n")
    return NotifyTargetItem(
        user_pk(user_id),
        notify_target_sk(ref),
        channel=contact[0],
        address=contact[1],
        method_type=method.method_type,
        expires_at=now + TARGET_SECONDS,
        ttl=int(now + TARGET_SECONDS + 86400),
    )


def target_ref(item: NotifyTargetItem) -> str:
    return item.sk.removeprefix(notify_target_sk(""))


# --- the notifier ---------------------------------------------------------------------------------


def handle_batch(deps: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS batch of EventBridge events; failed records are reported so only they come back."""
    failures = []
    for record in records:
        try:
            handle(deps, json.loads(record["body"]))
        except Exception as exc:  # one bad record must not redeliver the whole batch
            logger.error(
                "notice_failed", extra={"messageId": record.get("messageId"), "errorType": type(exc).__name__}
            )
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}


def handle(deps: Any, event: dict[str, Any]) -> int:
    """Send the notices of one event; returns how many went out now."""
    detail_type = str(event.get("detail-type") or "")
    detail = event.get("detail") or {}
    # The outbox's eventId is the same on every delivery (EventBridge's id is new on each publish).
    event_id = str(detail.get("eventId") or event.get("id") or "")
    user_id = detail.get("userId")
    text = notice_text(detail_type, detail)
    if text is None or not user_id or not event_id:
        return 0
    now = deps.clock.now()
    by_admin = _by_admin(detail)
    sent = 0
    recipients, language = _recipients(str(user_id), detail_type, detail, now)
    for target in recipients:
        marker = NoticeSentItem(
            user_pk(str(user_id)),
            notice_sk(event_id, target.source),
            created_at=now,
            ttl=int(now + MARKER_SECONDS),
        )
        try:
            marker.save(condition=NoticeSentItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                continue  # sent when this event was delivered before
            raise
        hint, subject = _hint(detail_type, by_admin)
        message = Message(
            channel=target.channel,
            to=target.address,
            text=f"{deps.totp_issuer}: {text.render(language)} {hint.render(language)}",
            subject=subject.render(language),
            kind=NOTICE,
            meta={"userId": str(user_id)},
        )
        try:
            deps.delivery.send(message)
        except DeliveryError as failure:
            marker.delete()  # let the redelivery try this target again
            metrics.count(metrics.DELIVERY_FAILURES)
            logger.warning(
                "notice_not_sent",
                extra={
                    "channel": target.channel,
                    "sentTo": mask(target.channel, target.address),
                    "errorType": failure.error_type,
                },
            )
            raise NoticeNotSent(failure.error_type) from None
        logger.info(
            "notice_sent",
            extra={
                "detailType": detail_type,
                "channel": target.channel,
                "sentTo": mask(target.channel, target.address),
            },
        )
        sent += 1
    return sent


def _hint(detail_type: str, by_admin: bool) -> tuple[Text, Text]:
    """The notice's closing hint and its email subject."""
    if detail_type == "SuspiciousActivityReported":
        return REPORT_HINT, REPORT_SUBJECT
    return (ADMIN_HINT, ADMIN_SUBJECT) if by_admin else (HINT, SUBJECT)


def targets(user_id: str, detail_type: str, detail: dict[str, Any], now: float) -> list[Target]:
    """Every channel the user has, minus the one just added, plus the one just removed or replaced."""
    return _recipients(user_id, detail_type, detail, now)[0]


def _recipients(
    user_id: str, detail_type: str, detail: dict[str, Any], now: float
) -> tuple[list[Target], str]:
    """The targets, and the language of their notices (from the same read of the partition)."""
    profile, methods = store.methods_and_profile(user_id)
    language = language_of_locale(profile.locale if profile is not None else None)
    skip: set[str] = set()
    method_id = detail.get("methodId")
    if detail_type == "MethodRegistered" and method_id:
        skip.add(str(method_id))
    if detail_type == "MethodUpdated" and "phoneNumber" in (detail.get("changedFields") or []) and method_id:
        skip.add(str(method_id))  # its number is the new one: the old one is the notify target
    found: list[Target] = []
    for method in sorted(methods, key=lambda m: (m.created_at, m.method_id)):
        if method.method_id in skip:
            continue
        contact = kind_of(method.method_type).contact(method)
        if contact is not None:
            found.append(Target(method.method_id, contact[0], contact[1]))
    # The one just removed or replaced (notifyRef); every former one after a clear (notifyRefs).
    listed = detail.get("notifyRefs")
    refs = [detail.get("notifyRef"), *(listed[:_MAX_REFS] if isinstance(listed, list) else [])]
    for ref in refs:
        if not isinstance(ref, str) or not ref:
            continue
        try:
            item = NotifyTargetItem.get(user_pk(user_id), notify_target_sk(ref))
        except NotifyTargetItem.DoesNotExist:
            item = None
        if item is not None and item.expires_at > now:
            found.append(Target(f"t{ref}", item.channel, item.address))
    unique: dict[tuple[str, str], Target] = {}
    for target in found:
        unique.setdefault((target.channel, target.address), target)
    return list(unique.values()), language


def notice_text(detail_type: str, detail: dict[str, Any]) -> Text | None:
    """What the notice says, from the masked event detail; None for events that need no notice.
    Rendered in the user's language when it is sent."""
    when = _when(detail)
    by_admin = _by_admin(detail)
    who: Text | str = t(" by an administrator") if by_admin else ""
    if detail_type in ADMIN_ACTIONS:
        return _admin_notice(detail_type, detail, when) if by_admin else None
    if detail_type == "MethodRegistered":
        return t("{what} was added to your account{who}{when}.", what=_a(detail, "after"), who=who, when=when)
    if detail_type == "MethodRemoved":
        return t(
            "{what} was removed from your account{who}{when}.", what=_a(detail, "before"), who=who, when=when
        )
    if detail_type == "MethodUpdated":
        before, after = detail.get("before") or {}, detail.get("after") or {}
        if "phoneNumber" in (detail.get("changedFields") or []):
            return t(
                "The number of your {words} was changed from {old} to {new}{who}{when}.",
                words=_words(detail, "phone"),
                old=before.get("phoneNumber", ""),
                new=after.get("phoneNumber", ""),
                who=who,
                when=when,
            )
        return t("Your {what} was changed{who}{when}.", what=_what(detail, "after"), who=who, when=when)
    if detail_type == "DefaultMethodChanged":
        before = detail.get("before") or {}
        if not before.get("defaultMethodId") or detail.get("reason") == "default_removed":
            return None  # a consequence of an add or a removal, which has its own notice
        return t("Your default sign-in method was changed{who}{when}.", who=who, when=when)
    if detail_type in _RECOVERY_AND_PUSH:
        return _recovery_or_push_notice(detail_type, detail, who, when)
    if detail_type == "AppPasswordCreated":
        return t("An app password was created for your account{who}{when}.", who=who, when=when)
    if detail_type == "SuspiciousActivityReported":
        return t(
            "Activity on your account was reported as not you{when}. Every remembered device "
            "will ask for the second sign-in step again, and your administrators were alerted.",
            when=when,
        )
    if detail_type == "VerificationFailed":
        if detail.get("reason") != "replay":
            return None
        return t(
            "Someone entered a code from your {words} that was already used{when}. "
            "Someone else may be seeing your codes.",
            words=_words(detail, "app"),
            when=when,
        )
    return None


_RECOVERY_AND_PUSH = (
    "RecoveryCodesGenerated",
    "RecoveryCodeUsed",
    "RecoveryCodesDeleted",
    "PushRequestsThrottled",
)


def _recovery_or_push_notice(
    detail_type: str, detail: dict[str, Any], who: Text | str, when: Text | str
) -> Text | None:
    """Recovery codes (docs/RULES.md: every use says how many are left; the use that makes the set low
    says so, once) and push fatigue (docs/RULES.md)."""
    if detail_type == "RecoveryCodesGenerated":
        if detail.get("replaced"):
            return t(
                "New recovery codes were created for your account{who}{when}. "
                "Your previous recovery codes no longer work.",
                who=who,
                when=when,
            )
        return t("New recovery codes were created for your account{who}{when}.", who=who, when=when)
    if detail_type == "RecoveryCodesDeleted":
        if detail.get("reason") == "security_info_cleared":
            return None  # part of the clear, which has its own notice
        return t("Your recovery codes were deleted{who}{when}.", who=who, when=when)
    if detail_type == "PushRequestsThrottled":
        return t(
            "Many sign-in requests were sent to your authenticator app{when}; further requests are "
            "paused for a few minutes. If this wasn't you, report it: someone may know your password.",
            when=when,
        )
    left = int(detail.get("remaining") or 0)
    if detail.get("becameLow"):
        return t(
            "A recovery code was used for your account{when}; {count} left. "
            "Your recovery codes are running low: create a new set under Security info.",
            when=when,
            count=left,
        )
    if left == 0:
        return t(
            "A recovery code was used for your account{when}; {count} left. "
            "Create a new set under Security info.",
            when=when,
            count=left,
        )
    return t("A recovery code was used for your account{when}; {count} left.", when=when, count=left)


def _admin_notice(detail_type: str, detail: dict[str, Any], when: Text | str) -> Text | None:
    """What an administrator did to the user's account (the IT department's resets; docs/RULES.md)."""
    if detail_type == "SecurityInfoCleared":
        return t(
            "An administrator cleared your security info{when}: your sign-in methods, app passwords "
            "and remembered devices were removed, and you will be asked to set up your security info "
            "again at your next sign-in.",
            when=when,
        )
    if detail_type == "AppPasswordDeleted":
        return t(
            "An administrator deleted your app passwords{when}. Apps that signed in with them "
            "stop working until you create new ones.",
            when=when,
        )
    if detail_type == "RememberedDevicesForgotten":
        return t(
            "An administrator reset your remembered devices{when}: where you chose \"Don't ask "
            'again", you will be asked for a second sign-in step again.',
            when=when,
        )
    if detail_type == "TemporaryAccessPassIssued":
        until = _at(detail.get("expiresAt"))
        single = bool(detail.get("singleUse"))
        if until and single:
            return t(
                "An administrator issued a single-use temporary access pass for your account{when}, "
                "valid until {until}.",
                when=when,
                until=until,
            )
        if until:
            return t(
                "An administrator issued a temporary access pass for your account{when}, "
                "valid until {until}.",
                when=when,
                until=until,
            )
        if single:
            return t(
                "An administrator issued a single-use temporary access pass for your account{when}.",
                when=when,
            )
        return t("An administrator issued a temporary access pass for your account{when}.", when=when)
    if detail_type == "UserUnlocked":
        return t(
            "An administrator unlocked your account{when}: sign-in attempts are allowed again.", when=when
        )
    if detail_type == "UserRiskDismissed":
        return t(
            "An administrator reviewed the activity you reported and closed your report{when}.", when=when
        )
    return None


def _by_admin(detail: dict[str, Any]) -> bool:
    return str(detail.get("actor") or "").startswith("admin:")


def _words(detail: dict[str, Any], otherwise: str) -> Text:
    """How the notice names the event's method type (its module's ``words``, a catalogue key)."""
    kind = REGISTRY.get(str(detail.get("methodType")))
    return t(kind.words) if kind is not None else _OTHERWISE[otherwise]


# The words for an event that names no known type.
_OTHERWISE = {"phone": t("phone"), "app": t("authenticator app"), "sign-in method": t("sign-in method")}


def _what(detail: dict[str, Any], side: str) -> Text:
    words = _words(detail, "sign-in method")
    state = detail.get(side) or {}
    shown = state.get("phoneNumber") or state.get("emailAddress")
    return t("{words} ({shown})", words=words, shown=shown) if shown else words


def _a(detail: dict[str, Any], side: str) -> Text:
    """ "An authenticator app", "A phone (+1 ••12)": the sentence's subject, with its article."""
    words = _words(detail, "sign-in method")
    what = _what(detail, side)
    if str(words)[:1] in "aeiou":
        return t("An {what}", what=what)
    return t("A {what}", what=what)


def _when(detail: dict[str, Any]) -> Text | str:
    stamp = detail.get("occurredAt")
    if not isinstance(stamp, str) or not stamp:
        return ""
    return t(" on {date} at {time} UTC", date=stamp[:10], time=stamp[11:16])


def _at(stamp: Any) -> Text | str:
    if not isinstance(stamp, str):
        return ""
    return t("{date} at {time} UTC", date=stamp[:10], time=stamp[11:16])
