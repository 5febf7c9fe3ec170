"""'Don't ask again for X days': a remembered device skips the second factor at sign-in until it
expires or is forgotten (one device, all of them, or by an administrator's reset)."""

from __future__ import annotations

from typing import Any

from tests.support_admin import admin, mfa_status, policy_changed
from tests.support_api import Answer, Api, User
from tests.support_events import validate_event

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def remember(user: User, secret: str, user_agent: str = CHROME_ON_WINDOWS) -> Answer:
    """A sign-in verification with "Don't ask again" ticked."""
    started = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert started.status == 201, started.body
    return user.call(
        "POST",
        f"/me/verifications/{started.body['verificationId']}",
        {"code": user.code(secret), "rememberDevice": True},
        {"User-Agent": user_agent},
    )


def remembered_token(user: User, secret: str, user_agent: str = CHROME_ON_WINDOWS) -> str:
    answer = remember(user, secret, user_agent)
    assert answer.status == 200, answer.body
    return str(answer.body["rememberDeviceToken"])


def devices(user: User) -> list[dict[str, Any]]:
    answer = user.call("GET", "/me/remembered-devices")
    assert answer.status == 200, answer.body
    return list(answer.body["devices"])


def test_a_remembered_device_skips_the_second_factor(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    before = mfa_status(api, user.user_id)
    assert before["mfaRequired"] is True and before["locked"] is False
    assert before["defaultMethod"] == {"type": "softwareOath", "id": method["id"]}
    # The default policy wants an authenticator app and a phone: the phone is missing.
    assert before["registrationRequired"] is True
    answer = remember(user, secret)
    assert answer.status == 200, answer.body
    token = answer.body["rememberDeviceToken"]
    device_id, _, secret_part = token.partition(".")
    assert len(secret_part) >= 22  # >= 128 bits, base64url
    assert mfa_status(api, user.user_id, token)["mfaRequired"] is False
    listed = devices(user)
    assert [d["id"] for d in listed] == [device_id]
    assert listed[0]["name"] == "Chrome on Windows"
    assert listed[0]["lastUsedAt"] is not None and listed[0]["expiresAt"] > listed[0]["createdAt"]
    assert token not in str(listed) and secret_part not in str(listed)


def test_a_tampered_or_foreign_token_asks_again(api: Api) -> None:
    alice, bob = api.user(), api.user()
    _, alice_secret = alice.add_totp()
    bob.add_totp()
    token = remembered_token(alice, alice_secret)
    device_id, _, secret_part = token.partition(".")
    flipped = secret_part[:-1] + ("A" if secret_part[-1] != "A" else "B")
    for tampered in (f"{device_id}.{flipped}", f"{device_id}x.{secret_part}", device_id, "x" * 40):
        assert mfa_status(api, alice.user_id, tampered)["mfaRequired"] is True, tampered
    # Alice's token names her device, not Bob's.
    assert mfa_status(api, bob.user_id, token)["mfaRequired"] is True
    assert mfa_status(api, alice.user_id, token)["mfaRequired"] is False


def test_a_remembered_device_expires_after_the_policys_days(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    with policy_changed(api, {"rememberDeviceDays": 1}):
        token = remembered_token(user, secret)
        assert mfa_status(api, user.user_id, token)["mfaRequired"] is False
        api.advance(86400 + 1)
        assert mfa_status(api, user.user_id, token)["mfaRequired"] is True
        # The local token lived 24 h on the service clock too: sign in again as the same person.
        again = api.user(user.username)
        assert devices(again) == []


def test_no_token_when_the_policy_disables_remembering(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    token = remembered_token(user, secret)
    with policy_changed(api, {"rememberDeviceDays": 0}):
        answer = remember(user, secret)
        assert answer.status == 200 and "rememberDeviceToken" not in answer.body
        assert user.info()["rememberDeviceDays"] == 0
        # Turning the feature off also stops honouring the tokens already out there.
        assert mfa_status(api, user.user_id, token)["mfaRequired"] is True
    assert mfa_status(api, user.user_id, token)["mfaRequired"] is False


def test_remember_device_is_for_sign_in_only(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    started = user.call("POST", "/me/verifications", {"purpose": "stepUp"})
    refused = user.call(
        "POST",
        f"/me/verifications/{started.body['verificationId']}",
        {"code": user.code(secret), "rememberDevice": True},
    )
    assert refused.status == 400 and refused.error["field"] == "rememberDevice"


def test_forgetting_one_device_leaves_the_others(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    laptop = remembered_token(user, secret)
    phone = remembered_token(
        user, secret, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
    )
    assert sorted(d["name"] for d in devices(user)) == ["Chrome on Windows", "Safari on iPhone"]
    laptop_id = laptop.partition(".")[0]
    refused = user.call("DELETE", f"/me/remembered-devices/{laptop_id}")
    assert refused.status == 403 and refused.error["code"] == "step_up_required"
    user.step_up(secret)
    assert user.call("DELETE", f"/me/remembered-devices/{laptop_id}").status == 204
    assert user.call("DELETE", f"/me/remembered-devices/{laptop_id}").status == 404
    assert mfa_status(api, user.user_id, laptop)["mfaRequired"] is True
    assert mfa_status(api, user.user_id, phone)["mfaRequired"] is False
    assert [d["name"] for d in devices(user)] == ["Safari on iPhone"]


def test_another_users_device_is_not_found(api: Api) -> None:
    alice, bob = api.user(), api.user()
    _, alice_secret = alice.add_totp()
    _, bob_secret = bob.add_totp()
    token = remembered_token(alice, alice_secret)
    bob.step_up(bob_secret)
    assert bob.call("DELETE", f"/me/remembered-devices/{token.partition('.')[0]}").status == 404
    assert mfa_status(api, alice.user_id, token)["mfaRequired"] is False


def test_forget_mfa_on_remembered_devices_revokes_every_token(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    tokens = [remembered_token(user, secret) for _ in range(3)]
    assert user.call("DELETE", "/me/remembered-devices").status == 403
    user.step_up(secret)
    assert user.call("DELETE", "/me/remembered-devices").status == 204
    assert all(mfa_status(api, user.user_id, t)["mfaRequired"] for t in tokens)
    assert devices(user) == []
    # A device remembered afterwards works: the reset is not a ban.
    fresh = remembered_token(user, secret)
    assert mfa_status(api, user.user_id, fresh)["mfaRequired"] is False
    forgotten = [
        e["detail"]
        for e in api.events()
        if e["detail-type"] == "RememberedDevicesForgotten" and e["detail"]["userId"] == user.user_id
    ]
    assert [(d["scope"], d["actor"]) for d in forgotten] == [("all", "self")]
    validate_event("RememberedDevicesForgotten", forgotten[0])


def test_an_administrators_reset_revokes_remembered_devices(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    token = remembered_token(user, secret)
    boss = admin(api)
    assert boss.call("DELETE", f"/admin/users/{user.user_id}/remembered-devices").status == 204
    assert mfa_status(api, user.user_id, token)["mfaRequired"] is True
    token = remembered_token(user, secret)
    assert boss.call("DELETE", f"/admin/users/{user.user_id}/security-info").status == 204
    status = mfa_status(api, user.user_id, token)
    # Nothing left to verify with: the user registers again instead.
    assert status["mfaRequired"] is False and status["registrationRequired"] is True
    assert status["defaultMethod"] is None
    user.add_totp()
    assert mfa_status(api, user.user_id, token)["mfaRequired"] is True


def test_a_locked_out_user_is_not_let_in_by_a_remembered_device(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    token = remembered_token(user, secret)
    for _ in range(2):
        started = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        for _ in range(5):
            user.call("POST", f"/me/verifications/{started}", {"code": "000000"})
    status = mfa_status(api, user.user_id, token)
    assert status["locked"] is True and status["mfaRequired"] is True


def test_the_status_route_is_for_the_sign_in_service_only(api: Api) -> None:
    user = api.user()
    body = {"userId": user.user_id}
    assert api.call("POST", "/signin/mfa-status", body, token=user.token).status == 403
    assert api.call("POST", "/signin/mfa-status", body).status == 403
    assert api.call("POST", "/signin/mfa-status", body, token=admin(api).token).status == 403
