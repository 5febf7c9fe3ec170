"""A locked user gets nothing approved on any path (SPEC §3 lockout): the device's approval of a
push started before the lock, a step-up token from before the lock (changes, the wizard's start),
a temporary access pass, a sent code (app passwords: test_app_passwords). Each refusal is 423
``locked_out`` with ``retryAfter``; an administrator's unlock ends it at once."""

from __future__ import annotations

from securityinfo.methods import totp
from tests.integration.test_authenticator_app import add_app, start
from tests.support_admin import admin, mfa_status
from tests.support_api import Answer, Api, User
from tests.support_codes import add_phone, last_code, new_number


def _wrong_totp(api: Api, secret: str) -> str:
    step = totp.step_at(api.now())
    valid = {totp.code_for_step(secret, step + d) for d in range(-40, 40)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def _lock(api: Api, user: User, secret: str) -> None:
    """Ten wrong TOTP codes on fresh verifications: the tenth answer is 423."""
    wrong = _wrong_totp(api, secret)
    for attempt in range(10):
        vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        answer = user.call("POST", f"/me/verifications/{vid}", {"code": wrong})
        assert answer.status == (423 if attempt == 9 else 400), answer.body
    assert mfa_status(api, user.user_id)["locked"] is True


def _refused(answer: Answer) -> None:
    assert answer.status == 423, answer.body
    assert answer.error["code"] == "locked_out" and answer.error["message"]
    assert 0 < answer.error["retryAfter"] <= 900
    assert answer.headers.get("Retry-After") == str(answer.error["retryAfter"])


def _unlock(api: Api, user: User) -> None:
    assert admin(api).call("POST", f"/admin/users/{user.user_id}/unlock").status == 204


def test_the_device_cannot_approve_a_push_while_the_user_is_locked(api: Api) -> None:
    user = api.user()
    totp_method, secret = user.add_totp()
    user.step_up(secret)
    app, device = add_app(api, user)
    started = start(user, "mfa", app["id"])
    vid, number = started["verificationId"], started["challenge"]["numberToMatch"]
    _lock(api, user, secret)

    _refused(device.approve(vid, number))
    assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "pending"
    _refused(user.call("POST", f"/me/verifications/{vid}", {}))
    # The request stayed undecided: once unlocked, the same approval goes through.
    _unlock(api, user)
    assert device.approve(vid, number).status == 204
    assert user.call("POST", f"/me/verifications/{vid}", {}).status == 200


def test_a_step_up_token_from_before_the_lock_changes_nothing(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    user.step_up(secret)
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Before"}).status == 200
    _lock(api, user, secret)
    _refused(user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "After"}))
    _refused(user.call("POST", "/me/methods", {"type": "softwareOath"}))
    _refused(user.call("POST", "/me/enrollment"))  # the wizard's step-up to start
    assert user.info()["methods"][0]["displayName"] == "Before"
    _unlock(api, user)
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "After"}).status == 200


def test_a_temporary_access_pass_does_not_stand_in_while_locked(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    issued = admin(api).call("POST", f"/admin/users/{user.user_id}/temporary-access-pass", {})
    assert issued.status == 201, issued.body
    header = {"X-Temporary-Access-Pass": issued.body["temporaryAccessPass"]}
    _lock(api, user, secret)
    _refused(user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Pass"}, header))
    # Refused before it was looked at: the single-use pass is still there after the unlock.
    _unlock(api, user)
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Pass"}, header).status == 200


def test_the_right_sent_code_is_refused_while_locked(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    user.step_up(secret)
    number = new_number()
    phone = add_phone(user, number)
    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    assert started.status == 201, started.body
    _lock(api, user, secret)
    path = f"/me/verifications/{started.body['verificationId']}"
    _refused(user.call("POST", path, {"code": last_code(api, number)}))
    # Nor is a new code sent while locked (the answer is one the published contract lists).
    _refused(user.call("POST", f"{path}/resend"))
    _unlock(api, user)
    assert user.call("POST", path, {"code": last_code(api, number)}).status == 200
