"""Helpers for tests of administration and the sign-in service: an administrator, the sign-in
service's token, and policy changes that are undone when the test ends (the policy is one per
organization, so a test that changes it puts it back)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support_api import Answer, Api, User


def admin(api: Api) -> User:
    return api.user(admin=True)


def service_token(api: Api) -> str:
    answer = api.call("POST", "/local/token", {"service": True})
    assert answer.status == 200, answer.body
    return str(answer.body["accessToken"])


def signin(api: Api, route: str, body: dict[str, Any]) -> Answer:
    """A call of the sign-in service (server to server)."""
    return api.call("POST", f"/signin/{route}", body, token=service_token(api))


def mfa_status(api: Api, user_id: str, token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"userId": user_id}
    if token is not None:
        body["rememberDeviceToken"] = token
    answer = signin(api, "mfa-status", body)
    assert answer.status == 200, answer.body
    return dict(answer.body)


def check_app_password(api: Api, user_id: str, password: str) -> Answer:
    return signin(api, "app-password-check", {"userId": user_id, "password": password})


def _merge(target: dict[str, Any], change: dict[str, Any]) -> None:
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


@contextmanager
def policy_changed(api: Api, change: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The policy with ``change`` merged in for the duration; the earlier policy afterwards."""
    boss = admin(api)
    before = boss.call("GET", "/admin/policy")
    assert before.status == 200, before.body
    changed = copy.deepcopy(before.body)
    _merge(changed, change)
    saved = boss.call("PUT", "/admin/policy", changed)
    assert saved.status == 200, saved.body
    try:
        yield dict(saved.body)
    finally:
        restored = admin(api).call("PUT", "/admin/policy", before.body)
        assert restored.status == 200, restored.body
