"""What an administrator's actions do to the user (issue 5, §10): every one is told to the
user on their phones and email with a "contact your IT department" hint (a clear too, on the phones
and address it just removed); a clear ends a running enrollment wizard; and removing one's last
method forgets the remembered devices, audibly."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.support_admin import admin, mfa_status
from tests.support_api import Answer, Api, User
from tests.support_codes import (
    add_email,
    add_phone,
    delivered_to,
    new_address,
    new_number,
    outbox,
    step_up_by_phone,
)
from tests.support_events import validate_event

ADMIN_HINT = "contact your IT department"


def _told(api: Api, to: str) -> list[str]:
    """The administrator-action notices sent to ``to``, newest first."""
    return [m["body"] for m in outbox(api, to) if ADMIN_HINT in m["body"]]


def _wait_told(api: Api, to: str, count: int, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = _told(api, to)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _events(
    api: Api, user: User, detail_type: str, count: int = 1, timeout: float = 15.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = [
            e
            for e in api.events()
            if e["detail-type"] == detail_type and e["detail"].get("userId") == user.user_id
        ]
        if len(found) >= count or time.monotonic() > deadline:
            for event in found:
                validate_event(detail_type, event["detail"])
            return found
        time.sleep(0.1)


def _user_with_phone_and_email(api: Api) -> tuple[User, str, str]:
    user = api.user()
    mobile, address = new_number(), new_address()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    add_email(user, address)
    return user, mobile, delivered_to(address)


def test_every_admin_action_is_told_to_the_user_on_every_channel(api: Api, runtime: Any) -> None:
    user, mobile, mail = _user_with_phone_and_email(api)
    boss = admin(api)
    base = f"/admin/users/{user.user_id}"

    tap = boss.call("POST", f"{base}/temporary-access-pass", {"singleUse": True})
    assert tap.status == 201, tap.body
    assert boss.call("POST", f"{base}/unlock").status == 204
    assert boss.call("DELETE", f"{base}/app-passwords").status == 204
    assert boss.call("DELETE", f"{base}/remembered-devices").status == 204
    for to in (mobile, mail):
        told = _wait_told(api, to, 4)
        assert len(told) == 4, (to, told)
        text = " ".join(told)
        assert "issued a single-use temporary access pass for your account" in text
        assert "valid until" in text
        assert "unlocked your account" in text
        assert "deleted your app passwords" in text
        assert "reset your remembered devices" in text
        assert tap.body["temporaryAccessPass"] not in text

    # Cleared: every method is gone when the notifier runs, yet the former phone and address hear of it.
    assert boss.call("DELETE", f"{base}/security-info").status == 204
    for to in (mobile, mail):
        told = _wait_told(api, to, 5)
        assert len(told) == 5, (to, told)
        assert "An administrator cleared your security info" in told[0]
        assert "set up your security info again" in told[0]
    [cleared] = _events(api, user, "SecurityInfoCleared")
    assert len(cleared["detail"]["notifyRefs"]) == 2
    everything = json.dumps([e["detail"] for e in api.events() if e["detail"].get("userId") == user.user_id])
    assert mobile not in everything and mobile[2:] not in everything and mail not in everything.lower()
    for message in outbox(api, mobile) + outbox(api, mail):
        assert mobile not in message["body"] and mail not in message["body"].lower()

    # At least once: a redelivered clear sends nothing twice.
    record = {"messageId": str(uuid.uuid4()), "body": json.dumps(cleared)}
    answer = runtime.functions.invoke("NotifyUserFunction", {"Records": [record]})
    assert answer == {"batchItemFailures": []}
    assert len(_told(api, mobile)) == 5 and len(_told(api, mail)) == 5


def test_the_users_own_forgets_and_deletes_are_not_told_as_admin_actions(api: Api) -> None:
    user, mobile, mail = _user_with_phone_and_email(api)
    assert user.call("DELETE", "/me/remembered-devices").status == 204
    assert admin(api).call("POST", f"/admin/users/{user.user_id}/unlock").status == 204
    assert len(_wait_told(api, mobile, 1)) == 1 and len(_wait_told(api, mail, 1)) == 1
    time.sleep(1.0)  # a notice that should not come has time to show up
    # The mobile heard of the email being added, then of the unlock; the forget was the user's own.
    notices = [m["body"] for m in outbox(api, mobile) if "If this wasn't" in m["body"]]
    assert len(notices) == 2 and "unlocked your account" in notices[0] and "was added" in notices[1]
    assert [m["body"] for m in outbox(api, mail) if "If this wasn't" in m["body"]] == _told(api, mail)


def test_removing_the_last_method_forgets_the_remembered_devices(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    started = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    remembered = user.call(
        "POST",
        f"/me/verifications/{started.body['verificationId']}",
        {"code": user.code(secret), "rememberDevice": True},
    )
    assert remembered.status == 200, remembered.body
    token = remembered.body["rememberDeviceToken"]
    user.step_up(secret)
    assert user.call("DELETE", f"/me/methods/{method['id']}").status == 204
    assert user.call("GET", "/me/remembered-devices").body["devices"] == []
    [forgotten] = _events(api, user, "RememberedDevicesForgotten")
    detail = forgotten["detail"]
    assert (detail["actor"], detail["scope"], detail["reason"]) == ("self", "all", "all_methods_removed")
    # A new method later does not bring the old device back.
    user.add_totp("Again")
    assert mfa_status(api, user.user_id, token)["mfaRequired"] is True


# --- a clear ends a running wizard -------------------------------------------------------------------


def _submit(user: User, step: dict[str, Any], action: str, **data: Any) -> Answer:
    return user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": action, **data})


def test_an_admin_clear_ends_a_running_wizard_and_the_next_start_is_fresh(api: Api) -> None:
    user = api.user()
    started = user.call("POST", "/me/enrollment")
    assert started.status == 201, started.body
    moved = _submit(user, started.body["step"], "differentApp")
    assert moved.status == 202, moved.body
    step = moved.body["step"]
    assert step["page"] == "softwareOathQr"

    assert admin(api).call("DELETE", f"/admin/users/{user.user_id}/security-info").status == 204

    read = user.call("GET", "/me/enrollment")
    assert read.status == 200 and read.body["status"] == "expired" and read.body["step"] is None
    late = _submit(user, step, "next", code=user.code(step["secret"]))
    assert late.status == 410 and late.error["code"] == "enrollment_expired"
    # The workflow ran its expiry path (its cleanup), and nothing it had begun got registered.
    [expired] = _events(api, user, "EnrollmentExpired")
    assert expired["detail"]["enrollmentId"] == started.body["enrollmentId"]
    assert user.info()["methods"] == []

    fresh = user.call("POST", "/me/enrollment")
    assert fresh.status == 201, fresh.body
    assert fresh.body["enrollmentId"] != started.body["enrollmentId"]
    assert fresh.body["status"] == "running" and fresh.body["step"]["page"] == "authenticatorDownload"
    assert user.call("GET", "/me/enrollment").body["step"]["id"] == fresh.body["step"]["id"]
