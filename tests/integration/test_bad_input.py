"""Bad input on every route gets a clear 4xx in the contract's error shape; never a 500."""

from typing import Any

import pytest

from tests.support_api import Api

ROUTES: list[tuple[str, str, Any, str | None]] = [
    ("POST", "/me/methods", {}, "type"),
    ("POST", "/me/methods", {"type": "carrierPigeon"}, "type"),
    ("POST", "/me/methods", {"type": "softwareOath", "secret": "AAAA"}, "secret"),
    ("POST", "/me/methods", {"type": "softwareOath", "displayName": ""}, "displayName"),
    ("POST", "/me/methods", {"type": "softwareOath", "displayName": 7}, "displayName"),
    ("POST", "/me/methods", {"type": "softwareOath", "displayName": "a" * 65}, "displayName"),
    ("POST", "/me/methods", [1, 2], None),
    ("POST", "/me/verifications", {}, "purpose"),
    ("POST", "/me/verifications", {"purpose": "login"}, "purpose"),
    ("POST", "/me/verifications", {"purpose": "mfa", "userId": "someone"}, "userId"),
    ("POST", "/me/verifications", {"purpose": "mfa", "methodId": 5}, "methodId"),
    ("PUT", "/me/default-method", {}, "methodId"),
    ("PUT", "/me/default-method", {"systemPreferred": "yes"}, "systemPreferred"),
    ("PUT", "/me/default-method", {"methodId": "m1", "extra": True}, "extra"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), ROUTES)
def test_bad_bodies(api: Api, method: str, path: str, body: Any, field: str | None) -> None:
    user = api.user()
    answer = user.call(method, path, body)
    assert answer.status == 400, answer.body
    assert set(answer.error) >= {"code", "message"}
    assert answer.error.get("field") == field
    assert "Traceback" not in str(answer.body)


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/me/methods"), ("POST", "/me/verifications"), ("PUT", "/me/default-method")],
)
def test_non_json_bodies(api: Api, method: str, path: str) -> None:
    user = api.user()
    answer = api.call(method, path, raw=b"{not json", token=user.token)
    assert answer.status == 400
    assert answer.error["code"] == "invalid_json"


def test_bad_answers_to_a_verification_and_a_registration(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
    for body, field in (
        ({}, "code"),
        ({"code": "12"}, "code"),
        ({"code": 123456}, "code"),
        ({"code": "123456", "rememberDevice": "yes"}, "rememberDevice"),
        ({"code": "123456", "extra": 1}, "extra"),
    ):
        answer = user.call("POST", f"/me/verifications/{vid}", body)
        assert answer.status == 400 and answer.error["field"] == field, answer.body
    step_up = user.call("POST", "/me/verifications", {"purpose": "stepUp"}).body["verificationId"]
    remember = user.call(
        "POST", f"/me/verifications/{step_up}", {"code": user.code(secret), "rememberDevice": True}
    )
    assert remember.status == 400 and remember.error["field"] == "rememberDevice"
    assert user.call("PATCH", f"/me/methods/{method['id']}", {}).status in (400, 403)


def test_missing_or_bad_tokens_are_401(api: Api) -> None:
    assert api.call("GET", "/me/security-info").status == 401
    assert api.call("GET", "/me/security-info", token="not.a.jwt").status == 401


def test_unknown_ids_are_404(api: Api) -> None:
    user = api.user()
    for method, path in (
        ("GET", "/me/verifications/nope"),
        ("GET", "/me/verifications/m1.v1"),
        ("POST", "/me/methods/registrations/rnope"),
    ):
        answer = user.call(method, path, {"code": "123456"} if method == "POST" else None)
        assert answer.status == 404, (path, answer.body)
