"""Change notices (docs/RULES.md): every add, change or removal reaches the user on every other channel
they have, including the one just removed or replaced but not the one just added, with a "this
wasn't me" hint; events are at-least-once, so a redelivered event sends nothing twice."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.support_admin import policy_changed
from tests.support_api import Api
from tests.support_codes import (
    add_email,
    add_phone,
    delivered_to,
    new_address,
    new_number,
    outbox,
    step_up_by_phone,
)

HINT = "If this wasn't you"


def _notices(api: Api, to: str) -> list[dict[str, Any]]:
    return [m for m in outbox(api, to) if HINT in m["body"]]


def _wait_notices(api: Api, to: str, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = _notices(api, to)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _settle(api: Api) -> None:
    """Let the notifier drain what is queued (a notice that should not come has time to show up)."""
    time.sleep(1.0)


def test_notices_reach_every_other_channel_including_the_removed_one(api: Api) -> None:
    user = api.user()
    mobile, office, address = new_number(), new_number(), new_address()
    mail = delivered_to(address)

    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)

    email = add_email(user, address)
    [added] = _wait_notices(api, mobile, 1)  # a text to the mobile phone...
    assert added["channel"] == "sms"
    assert "email address (u•••@contoso.com) was added" in added["body"]
    _settle(api)
    assert _notices(api, mail) == []  # ...but not to the address just added

    add_phone(user, office, "office")
    assert len(_wait_notices(api, mobile, 2)) == 2
    assert len(_wait_notices(api, mail, 1)) == 1
    [about_office] = _notices(api, mail)
    assert about_office["channel"] == "email" and "phone (+1 ••••••••" in about_office["body"]
    _settle(api)
    assert _notices(api, office) == []  # the office phone was just added

    assert user.call("DELETE", f"/me/methods/{email['id']}").status == 204
    # The removed address hears about it too: an attacker cannot silence the owner by removing it.
    removed = _wait_notices(api, mail, 2)
    assert len(removed) == 2 and "was removed" in removed[0]["body"]
    call = _wait_notices(api, office, 1)
    assert call and call[0]["channel"] == "voice"  # an office line is called
    assert "was removed" in _wait_notices(api, mobile, 3)[0]["body"]

    for message in outbox(api, mobile) + outbox(api, mail) + outbox(api, office):
        body = message["body"]
        assert mobile not in body and office not in body and mail not in body.lower()


def test_a_replaced_number_is_told_and_the_new_one_is_not(api: Api) -> None:
    user = api.user()
    old, new, address = new_number(), new_number(), new_address()
    phone = add_phone(user, old)
    step_up_by_phone(user, phone["id"], old)
    add_email(user, address)
    _wait_notices(api, old, 1)

    changed = user.call("PATCH", f"/me/methods/{phone['id']}", {"phoneNumber": new})
    assert changed.status == 202, changed.body
    code = outbox(api, new)[0]["body"][:6]
    done = user.call("POST", f"/me/methods/registrations/{changed.body['registrationId']}", {"code": code})
    assert done.status == 201, done.body

    told = _wait_notices(api, old, 2)  # the number that was replaced
    assert len(told) == 2
    assert f"from +1 ••••••••{old[-2:]} to +1 ••••••••{new[-2:]}" in told[0]["body"]
    assert len(_wait_notices(api, delivered_to(address), 1)) == 1
    _settle(api)
    assert _notices(api, new) == []


def test_a_channel_switch_and_a_default_change_are_told(api: Api) -> None:
    user = api.user()
    mobile, office = new_number(), new_number()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    desk = add_phone(user, office, "office")
    _wait_notices(api, mobile, 1)
    assert user.call("PATCH", f"/me/methods/{phone['id']}", {"channel": "voice"}).status == 200
    switched = _wait_notices(api, mobile, 2)
    assert "was changed" in switched[0]["body"]
    assert user.call("PUT", "/me/default-method", {"methodId": desk["id"]}).status == 200
    assert "default sign-in method was changed" in _wait_notices(api, mobile, 3)[0]["body"]
    assert len(_wait_notices(api, office, 2)) == 2  # the office line was called for both


def test_the_first_method_brings_no_notice(api: Api) -> None:
    user = api.user()
    number = new_number()
    add_phone(user, number)
    _settle(api)
    assert _notices(api, number) == []


def test_a_redelivered_event_sends_nothing_twice(api: Api, runtime: Any) -> None:
    user = api.user()
    mobile, address = new_number(), new_address()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    add_email(user, address)
    _wait_notices(api, mobile, 1)
    event = next(
        e
        for e in api.events()
        if e["detail-type"] == "MethodRegistered"
        and e["detail"]["userId"] == user.user_id
        and e["detail"]["methodType"] == "email"
    )
    record = {"messageId": str(uuid.uuid4()), "body": json.dumps(event)}
    answer = runtime.functions.invoke("NotifyUserFunction", {"Records": [record]})
    assert answer == {"batchItemFailures": []}
    assert len(_notices(api, mobile)) == 1


def test_a_replayed_authenticator_code_is_told(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    step_up_by_phone(user, phone["id"], number)
    app, secret = user.add_totp()
    _wait_notices(api, number, 1)  # the app was added
    code = user.code(secret)
    start = {"purpose": "mfa", "methodId": app["id"]}
    vid = user.call("POST", "/me/verifications", start).body["verificationId"]
    assert user.call("POST", f"/me/verifications/{vid}", {"code": code}).status == 200
    vid = user.call("POST", "/me/verifications", start).body["verificationId"]
    assert user.call("POST", f"/me/verifications/{vid}", {"code": code}).status == 400  # a replay
    told = _wait_notices(api, number, 2)
    assert "already used" in told[0]["body"]


def test_a_new_app_password_is_told(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    step_up_by_phone(user, phone["id"], number)
    with policy_changed(api, {"appPasswords": {"enabled": True}}):
        created = user.call("POST", "/me/app-passwords", {"name": "Outlook 2010"})
        assert created.status == 201, created.body
    told = _wait_notices(api, number, 1)
    assert "An app password was created" in told[0]["body"]
    assert created.body["password"] not in told[0]["body"] and "Outlook" not in told[0]["body"]
