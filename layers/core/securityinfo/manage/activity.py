"""Recent activity and "This wasn't me" (docs/RULES.md).

The activity of a user is the outbox's items in their partition (every event is one, written with
its change): a page is ONE Query, newest first, bounded below by the policy's ``activityDays`` at
read time (TTL only cleans up). Each entry is told in words from the event's masked detail: which
method (masked), who (``self``/``admin``/``system``), the source IP and the device from the user
agent. Nothing is read but the page itself, so an entry says only what its event recorded.

Reporting an entry marks the user ``atRisk``, forgets every remembered device and writes
``SuspiciousActivityReported`` (and ``RememberedDevicesForgotten``) in one transaction that also
marks the entry reported, conditioned on it not being reported yet: a second report of the same
entry changes nothing and emits nothing. The notices (every channel) and the administrators' alert
follow from the event, through consumers that are idempotent on its ``eventId``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import equal
from securityinfo.kernel.errors import InvalidCursor, InvalidField, NotFound, UnknownField
from securityinfo.kernel.i18n import Text, t
from securityinfo.kernel.masking import mask_text
from securityinfo.kernel.useragent import device_name
from securityinfo.methods.registry import REGISTRY
from securityinfo.policy.model import current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    RISK_AT_RISK,
    ActivityItem,
    ProfileItem,
    profile_ref,
    profile_touch,
    risk_state_of,
)
from securityinfo.verify import remembered_devices

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
QUERY_NAMES = ("limit", "cursor")
_CURSOR_PURPOSE = "activity-cursor"
_CURSOR_MAC_HEX = 32  # 128 bits of the HMAC: enough that a guessed cursor is never accepted
_MAX_CURSOR = 200
_START_AGAIN = "Load Recent activity again from the start (without cursor)."


# --- paging -----------------------------------------------------------------------------------


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
        raise InvalidField(t("limit must be a whole number from 1 to {max}.", max=MAX_LIMIT), field="limit")
    return int(value)


def _mac(deps: Deps, user_id: str, activity_id: str) -> str:
    # Keyed and bound to the user whose list it pages: a cursor cannot be forged or carried over.
    return deps.hasher.digest(f"{user_id}\x00{activity_id}", _CURSOR_PURPOSE)[:_CURSOR_MAC_HEX]


def encode_cursor(deps: Deps, user_id: str, activity_id: str) -> str:
    raw = f"{activity_id}.{_mac(deps, user_id, activity_id)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(deps: Deps, user_id: str, cursor: str) -> str:
    """The activity id a cursor continues after; 400 ``invalid_cursor`` for anything this service
    did not hand to this list."""
    bad = InvalidCursor(
        "That cursor is not valid for this list. Load Recent activity again from the start (without cursor).",
        field="cursor",
    )
    if not cursor or len(cursor) > _MAX_CURSOR or not cursor.isascii():
        raise bad
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except ValueError:
        raise bad from None
    activity_id, dot, mac = text.partition(".")
    if (
        not dot
        or not outbox.ACTIVITY_ID.fullmatch(activity_id)
        or not equal(mac, _mac(deps, user_id, activity_id))
    ):
        raise bad
    return activity_id


def page_of(deps: Deps, user_id: str, params: Mapping[str, str], language: str = "en") -> dict[str, Any]:
    """``{activity, nextCursor?}`` of ``user_id``: the route has established who may read it."""
    unknown = sorted(set(params) - set(QUERY_NAMES))
    if unknown:
        raise UnknownField(
            t("Unknown query parameter {name}; use limit and cursor.", name=unknown[0]), field=unknown[0]
        )
    limit = _limit(params.get("limit"))
    cursor = params.get("cursor")
    after = decode_cursor(deps, user_id, cursor) if cursor is not None else None
    now = deps.clock.now()
    items, more = outbox.page(user_id, now, current_policy().activity_days, limit, after)
    body: dict[str, Any] = {"activity": [view(item, language) for item in items]}
    if more and items:
        body["nextCursor"] = encode_cursor(deps, user_id, items[-1].activity_id)
    return body


def listing(deps: Deps, caller: Caller, params: Mapping[str, str]) -> dict[str, Any]:
    """GET /me/activity: the caller's own activity, newest first."""
    return page_of(deps, caller.user_id, params, caller.language)


# --- one entry, in words ------------------------------------------------------------------------


def _actor(actor: Any) -> str:
    text = str(actor or "")
    if text.startswith("admin:"):
        return "admin"
    return "system" if text == "system" else "self"


def _method(detail: Mapping[str, Any]) -> dict[str, Any] | None:
    method_id, method_type = detail.get("methodId"), detail.get("methodType")
    if not isinstance(method_id, str) or not isinstance(method_type, str):
        return None
    state = detail.get("after") or detail.get("before") or {}
    name = state.get("displayName") if isinstance(state, dict) else None
    if not isinstance(name, str) or not name:
        kind = REGISTRY.get(method_type)
        # Events of a verification name the method by id only: its type's own name stands in.
        name = kind.default_display_name if kind is not None else "Sign-in method"
    return {"id": method_id, "type": method_type, "displayName": mask_text(name)}


def view(item: ActivityItem, language: str = "en") -> dict[str, Any]:
    """The API's ``Activity``: what happened in words, and from where, all masked."""
    try:
        detail = json.loads(item.detail)
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    body: dict[str, Any] = {
        "id": item.activity_id,
        "type": item.detail_type,
        "occurredAt": iso(item.occurred_at),
        "summary": summary(item.detail_type, detail, language),
        "actor": _actor(detail.get("actor")),
        "sourceIp": detail.get("sourceIp") if isinstance(detail.get("sourceIp"), str) else None,
        "device": device_name(detail.get("userAgent") if isinstance(detail.get("userAgent"), str) else None),
        "reported": item.reported_at is not None,
    }
    method = _method(detail)
    if method is not None:
        body["method"] = method
    return body


def _words(detail: Mapping[str, Any], otherwise: str = "sign-in method") -> Text:
    """How a sentence names the event's method type: its module's ``words``, a catalogue key."""
    kind = REGISTRY.get(str(detail.get("methodType")))
    if kind is not None:
        return t(kind.words)
    return t("phone") if otherwise == "phone" else t("sign-in method")


def _named(detail: Mapping[str, Any], side: str) -> Text:
    """ "phone (+1 ••••••••12)": the method's words and its masked number or address, if any."""
    state = detail.get(side) or {}
    shown = state.get("phoneNumber") or state.get("emailAddress") if isinstance(state, dict) else None
    words = _words(detail)
    return t("{words} ({shown})", words=words, shown=shown) if isinstance(shown, str) and shown else words


def _a(detail: Mapping[str, Any], side: str) -> Text:
    what = _named(detail, side)
    return t("An {what}", what=what) if str(_words(detail))[:1] in "aeiou" else t("A {what}", what=what)


_PURPOSES = {
    "mfa": t(" to sign in"),
    "sspr": t(" to reset your password"),
    "stepUp": t(" to change your security info"),
    "passwordless": t(" to sign in without a password"),
}
_FIXED = {
    "EnrollmentStarted": t('You started setting up your security info ("Keep your account secure").'),
    "EnrollmentCompleted": t("You finished setting up your security info."),
    "EnrollmentExpired": t("Setting up your security info stopped because a step was not answered in time."),
    "SecurityInfoCleared": t(
        "An administrator cleared your security info: you will set it up again at your next sign-in."
    ),
    "UserUnlocked": t("An administrator unlocked your account: sign-in attempts are allowed again."),
    "TemporaryAccessPassIssued": t("An administrator issued a temporary access pass for your account."),
    "UserRiskDismissed": t(
        "An administrator reviewed your report and marked your account as no longer at risk."
    ),
    "PolicyChanged": t("Your organization's security info policy changed."),
}


def summary(detail_type: str, detail: Mapping[str, Any], language: str = "en") -> str:
    """One sentence for a person, from the event's masked detail only, in ``language``."""
    return _sentence(detail_type, detail).render(language)


def _sentence(detail_type: str, detail: Mapping[str, Any]) -> Text:
    by_admin = _actor(detail.get("actor")) == "admin"
    who: Text | str = t(" by an administrator") if by_admin else ""
    if detail_type in _FIXED:
        return _FIXED[detail_type]
    if detail_type == "MethodRegistered":
        return t("{what} was added{who}.", what=_a(detail, "after"), who=who)
    if detail_type == "MethodRemoved":
        return t("{what} was removed{who}.", what=_a(detail, "before"), who=who)
    if detail_type == "MethodUpdated":
        before, after = detail.get("before") or {}, detail.get("after") or {}
        changed = detail.get("changedFields") or []
        if "phoneNumber" in changed:
            return t(
                "The number of your {words} was changed from {old} to {new}{who}.",
                words=_words(detail, "phone"),
                old=before.get("phoneNumber", ""),
                new=after.get("phoneNumber", ""),
                who=who,
            )
        if "displayName" in changed:
            name = mask_text(str(after.get("displayName", "")))
            return t(
                "Your {words} was renamed to \u201c{name}\u201d{who}.",
                words=_words(detail),
                name=name,
                who=who,
            )
        return t("Your {what} was changed{who}.", what=_named(detail, "after"), who=who)
    if detail_type == "DefaultMethodChanged":
        if detail.get("reason") == "default_removed":
            return t("Your default sign-in method changed because the previous one was removed.")
        if (detail.get("after") or {}).get("systemPreferred"):
            return t("Your default sign-in method is now the most secure one you have{who}.", who=who)
        return t(
            "Your default sign-in method was changed to your {words}{who}.", words=_words(detail), who=who
        )
    if detail_type == "AppPasswordCreated":
        return t("An app password was created{who}.", who=who)
    if detail_type == "AppPasswordDeleted":
        if detail.get("deletedCount") is not None:
            return t(
                "An administrator deleted your app passwords ({count}).", count=detail.get("deletedCount")
            )
        return t("An app password was deleted{who}.", who=who)
    if detail_type == "RememberedDevicesForgotten":
        if detail.get("reason") == "suspicious_activity":
            return t("Every remembered device was forgotten after you reported activity that wasn't you.")
        if detail.get("scope") == "device":
            return t(
                "A remembered device was forgotten{who}: it will ask for the second step again.", who=who
            )
        return t(
            "Every remembered device was forgotten{who}: each will ask for the second step again.", who=who
        )
    if detail_type == "VerificationSucceeded":
        purpose = _PURPOSES.get(str(detail.get("purpose")), "")
        return t("Your {words} was used{purpose}.", words=_words(detail), purpose=purpose)
    if detail_type == "VerificationFailed":
        if detail.get("reason") == "replay":
            return t(
                "A code from your {words} that was already used was entered again.", words=_words(detail)
            )
        if detail.get("reason") == "number_mismatch":
            return t("The wrong number was entered on your authenticator app.")
        return t("A wrong answer was given for your {words}.", words=_words(detail))
    if detail_type == "UserLockedOut":
        return t("Your account was locked for a while after too many wrong answers.")
    if detail_type == "FraudReported":
        return t("A sign-in request on your authenticator app was denied and reported as fraud.")
    if detail_type == "CodeDeliveryFailed":
        sent_to = detail.get("sentTo")
        if isinstance(sent_to, str) and sent_to:
            return t("A code could not be delivered to {to}.", to=sent_to)
        return t("A code could not be delivered.")
    if detail_type == "SuspiciousActivityReported":
        return t("You reported activity that wasn't you; your administrators were alerted.")
    if detail_type == "RecoveryCodesGenerated":
        total = detail.get("total") or 10
        if detail.get("replaced"):
            return t(
                "A new set of {count} recovery codes was created; the old codes no longer work.", count=total
            )
        return t("A set of {count} recovery codes was created.", count=total)
    if detail_type == "RecoveryCodeUsed":
        purpose = _PURPOSES.get(str(detail.get("purpose")), "")
        left = detail.get("remaining")
        if isinstance(left, int):
            return t("A recovery code was used{purpose} ({count} left).", purpose=purpose, count=left)
        return t("A recovery code was used{purpose}.", purpose=purpose)
    if detail_type == "RecoveryCodesDeleted":
        return t("Your recovery codes were deleted{who}.", who=who)
    if detail_type == "HardwareTokensUploaded":
        count = detail.get("created")
        if count == 1:
            return t("An administrator uploaded 1 hardware token.")
        if isinstance(count, int):
            return t("An administrator uploaded {count} hardware tokens.", count=count)
        return t("An administrator uploaded hardware tokens.")
    if detail_type == "PushRequestsThrottled":
        most = detail.get("maxRequests")
        if most:
            return t(
                "Sign-in requests to your authenticator app were held back "
                "(more than {most} in {minutes} minutes).",
                most=most,
                minutes=detail.get("windowMinutes") or 10,
            )
        return t("Sign-in requests to your authenticator app were held back.")
    return t("Your security info changed.")


# --- "This wasn't me" -------------------------------------------------------------------------


def report(deps: Deps, caller: Caller, activity_id: str) -> dict[str, Any]:
    """POST /me/activity/{activityId}/report: 202 ``{riskState}``. The user's own entries only
    (another user's id or an expired entry: 404); a repeat of a reported entry changes nothing."""
    now = deps.clock.now()
    item = outbox.get_kept(caller.user_id, activity_id, now, current_policy().activity_days)
    if item is None:
        raise NotFound("No such activity.")
    if item.reported_at is not None:
        return _answer(caller)
    try:
        detail = json.loads(item.detail)
    except ValueError:
        detail = {}
    reported: dict[str, Any] = {
        "reportedActivityId": item.activity_id,
        "reportedType": item.detail_type,
        "reportedOccurredAt": iso(item.occurred_at),
    }
    if isinstance(detail, dict) and detail.get("methodId") and detail.get("methodType"):
        reported.update(method_type=detail["methodType"], method_id=detail["methodId"])
    tw = outbox.Change(deps)
    try:
        with tw:
            # Only the first report of an entry counts: a repeat (or a concurrent twin) is refused here.
            tw.update(
                item,
                actions=[ActivityItem.reported_at.set(now)],
                condition=ActivityItem.pk.exists() & ActivityItem.reported_at.does_not_exist(),
                refusal=_ReportedAlready(),
            )
            tw.update(
                profile_ref(caller.user_id),
                actions=[
                    *profile_touch(),
                    ProfileItem.risk_state.set(RISK_AT_RISK),
                    ProfileItem.risk_since.set(now),
                    *remembered_devices.forget_all_actions(),
                ],
            )
            tw.emit("SuspiciousActivityReported", events.detail(caller, now, **reported))
            tw.emit(
                "RememberedDevicesForgotten",
                events.detail(caller, now, scope="all", reason="suspicious_activity"),
            )
    except TransactWriteError as error:
        if not isinstance(tw.refusal(error), _ReportedAlready):
            raise
        # Reported meanwhile by a concurrent request: that one made the change; answer as it did.
    return _answer(caller)


class _ReportedAlready(Exception):
    """The entry's condition failed: it was reported before (not an error for the caller)."""


def _answer(caller: Caller) -> dict[str, Any]:
    # The risk state as it is now: after an administrator's dismissal, a repeat of an old report
    # does not raise it again (report another entry for that).
    return {"riskState": risk_state_of(store.get_profile(caller.user_id, consistent=True))}
