"""Resending codes and the send limits (docs/RULES.md), on the service clock: 30 s between sends, 5 sends
per user per hour, 10 per number or address per day across all users (the SMS pumping guard), and
a resend never gives back a try. Idempotency keys on every send."""

from __future__ import annotations

import uuid

from tests.support_api import Api, User
from tests.support_codes import (
    add_phone,
    begin_phone,
    delivered_to,
    last_code,
    new_address,
    new_number,
    outbox,
    wrong,
)


def _resend(user: User, registration_id: str, key: str | None = None) -> object:
    headers = {"Idempotency-Key": key} if key else None
    return user.call("POST", f"/me/methods/registrations/{registration_id}/resend", headers=headers)


def test_a_resend_waits_30_seconds_then_sends_a_new_code(api: Api) -> None:
    user = api.user()
    number = new_number()
    begun = begin_phone(user, number)
    rid = begun.body["registrationId"]
    first = last_code(api, number)
    early = user.call("POST", f"/me/methods/registrations/{rid}/resend")
    assert early.status == 429, early.body
    assert early.error["code"] == "resend_too_soon"
    assert 1 <= early.error["retryAfter"] <= 30
    assert early.headers["Retry-After"] == str(early.error["retryAfter"])
    api.advance(25)
    still = user.call("POST", f"/me/methods/registrations/{rid}/resend")
    assert still.status == 429 and still.error["retryAfter"] <= 5, still.body
    api.advance(6)
    resent = user.call("POST", f"/me/methods/registrations/{rid}/resend")
    assert resent.status == 202, resent.body
    assert resent.body == {"sentTo": f"+1 ••••••••{number[-2:]}", "channel": "sms"}
    assert len(outbox(api, number)) == 2
    second = last_code(api, number)
    path = f"/me/methods/registrations/{rid}"
    if first != second:  # the newest code counts; the one it replaced no longer does
        assert user.call("POST", path, {"code": first}).status == 400
    assert user.call("POST", path, {"code": second}).status == 201


def test_a_resend_never_gives_back_a_try(api: Api) -> None:
    user = api.user()
    number = new_number()
    rid = begin_phone(user, number).body["registrationId"]
    path = f"/me/methods/registrations/{rid}"
    for left in (4, 3, 2):
        answer = user.call("POST", path, {"code": wrong(last_code(api, number))})
        assert answer.error["attemptsLeft"] == left, answer.body
    api.advance(31)
    assert user.call("POST", f"{path}/resend").status == 202
    answer = user.call("POST", path, {"code": wrong(last_code(api, number))})
    assert answer.status == 400 and answer.error["attemptsLeft"] == 1, answer.body
    answer = user.call("POST", path, {"code": wrong(last_code(api, number))})
    assert answer.status == 410 and answer.error["code"] == "code_expired", answer.body


def test_a_verification_code_can_be_resent(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    vid = started.body["verificationId"]
    early = user.call("POST", f"/me/verifications/{vid}/resend")
    assert early.status == 429 and "Retry-After" in early.headers, early.body
    wrong_once = user.call("POST", f"/me/verifications/{vid}", {"code": wrong(last_code(api, number))})
    assert wrong_once.error["attemptsLeft"] == 4
    api.advance(31)
    resent = user.call("POST", f"/me/verifications/{vid}/resend")
    assert resent.status == 202 and resent.body["channel"] == "sms", resent.body
    answer = user.call("POST", f"/me/verifications/{vid}", {"code": wrong(last_code(api, number))})
    assert answer.error["attemptsLeft"] == 3, answer.body  # the resend gave no try back
    assert user.call("POST", f"/me/verifications/{vid}", {"code": last_code(api, number)}).status == 200
    # Finished: nothing more to resend.
    api.advance(31)
    done = user.call("POST", f"/me/verifications/{vid}/resend")
    assert done.status == 410, done.body


def test_a_resend_of_another_users_or_an_unknown_id_is_404(api: Api) -> None:
    owner, other = api.user(), api.user()
    number = new_number()
    rid = begin_phone(owner, number).body["registrationId"]
    api.advance(31)
    for path in (f"/me/methods/registrations/{rid}/resend", "/me/methods/registrations/rnope/resend"):
        assert other.call("POST", path).status == 404
    phone = add_phone(owner, new_number())
    vid = owner.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]}).body[
        "verificationId"
    ]
    api.advance(31)
    assert other.call("POST", f"/me/verifications/{vid}/resend").status == 404
    assert len(outbox(api, number)) == 1


def test_five_sends_per_user_per_hour(api: Api) -> None:
    user = api.user()
    number = new_number()
    rid = begin_phone(user, number).body["registrationId"]
    for _ in range(4):
        api.advance(31)
        assert _resend(user, rid).status == 202  # type: ignore[attr-defined]
    api.advance(31)
    refused = user.call("POST", f"/me/methods/registrations/{rid}/resend")
    assert refused.status == 429 and refused.error["code"] == "too_many_codes", refused.body
    # The oldest of the five leaves the hour in about 3600 - 5 * 31 s.
    assert 3600 - 6 * 31 <= refused.error["retryAfter"] <= 3600 - 5 * 31 + 1
    assert refused.headers["Retry-After"] == str(refused.error["retryAfter"])
    # Another number or a new verification does not get round it: the limit is the user's.
    other = begin_phone(user, new_number())
    assert other.status == 429, other.body
    assert len(outbox(api, number)) == 5
    api.advance(refused.error["retryAfter"])
    # An hour after the first send, one more code may go out (the registration itself expired).
    assert begin_phone(user, number).status == 201
    assert begin_phone(user, new_number()).status == 429


def test_ten_sends_per_number_per_day_across_users(api: Api) -> None:
    """SMS pumping: many accounts aiming codes at one (premium) number get 10 through a day."""
    victim = new_number()
    for _ in range(2):
        user = api.user()
        rid = begin_phone(user, victim).body["registrationId"]
        for _ in range(4):
            api.advance(31)
            assert user.call("POST", f"/me/methods/registrations/{rid}/resend").status == 202
    assert len(outbox(api, victim)) == 10
    third = api.user()
    refused = begin_phone(third, victim)
    assert refused.status == 429 and refused.error["code"] == "too_many_codes", refused.body
    assert refused.error["retryAfter"] > 3600  # the day's window, not the hour's
    assert len(outbox(api, victim)) == 10
    assert "Retry-After" in refused.headers
    # The same user can still receive codes at another number.
    fine = new_number()
    assert begin_phone(third, fine).status == 201
    assert len(outbox(api, fine)) == 1


def test_the_per_address_limit_holds_for_email_too(api: Api) -> None:
    address = new_address()
    sent = 0
    while sent < 10:
        user = api.user()
        begun = user.call("POST", "/me/methods", {"type": "email", "emailAddress": address})
        assert begun.status == 201, begun.body
        sent += 1
    refused = api.user().call("POST", "/me/methods", {"type": "email", "emailAddress": address})
    assert refused.status == 429, refused.body
    assert len(outbox(api, delivered_to(address))) == 10


def test_idempotency_keys_on_sends(api: Api) -> None:
    user = api.user()
    number = new_number()
    key = str(uuid.uuid4())
    body = {"type": "phone", "phoneType": "mobile", "phoneNumber": number}
    first = user.call("POST", "/me/methods", body, headers={"Idempotency-Key": key})
    again = user.call("POST", "/me/methods", body, headers={"Idempotency-Key": key})
    assert first.status == again.status == 201
    assert first.body["registrationId"] == again.body["registrationId"]
    assert again.body["sentTo"] == first.body["sentTo"]
    assert len(outbox(api, number)) == 1  # the repeat sent nothing
    rid = first.body["registrationId"]

    api.advance(31)
    resend_key = str(uuid.uuid4())
    assert _resend(user, rid, resend_key).status == 202  # type: ignore[attr-defined]
    assert _resend(user, rid, resend_key).status == 202  # type: ignore[attr-defined]
    assert len(outbox(api, number)) == 2

    done = user.call("POST", f"/me/methods/registrations/{rid}", {"code": last_code(api, number)})
    assert done.status == 201
    phone = done.body["method"]
    start_key = str(uuid.uuid4())
    start = {"purpose": "mfa", "methodId": phone["id"]}
    one = user.call("POST", "/me/verifications", start, headers={"Idempotency-Key": start_key})
    two = user.call("POST", "/me/verifications", start, headers={"Idempotency-Key": start_key})
    assert one.status == two.status == 201
    assert one.body["verificationId"] == two.body["verificationId"]
    assert two.body["challenge"] == one.body["challenge"]
    assert len(outbox(api, number)) == 3


def test_wrong_codes_count_toward_lockout(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    statuses = []
    for _ in range(2):
        vid = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]}).body[
            "verificationId"
        ]
        code = last_code(api, number)
        for _ in range(5):
            statuses.append(user.call("POST", f"/me/verifications/{vid}", {"code": wrong(code)}).status)
    assert statuses[-1] == 423, statuses
    locked = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    assert locked.status == 423 and locked.error["retryAfter"] > 0, locked.body
    assert len(outbox(api, number)) == 3  # no code is sent to a locked user
