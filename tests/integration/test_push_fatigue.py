"""Push fatigue (docs/RULES.md) as an attacker who knows the password and the user see it: at most the
policy's 5 push requests in any 10 minutes (sliding, counted atomically under concurrent starts),
then 429 ``too_many_push_requests`` with ``retryAfter``, one notice and one event per run."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.clock import OFFSET_ENV
from tests.integration.test_authenticator_app import add_app
from tests.support_admin import admin, policy_changed
from tests.support_api import Answer, Api, User
from tests.support_codes import add_phone, new_number, outbox, verify_by_code


def with_app(api: Api) -> tuple[User, str]:
    user = api.user()
    method, _ = add_app(api, user)
    return user, str(method["id"])


def push(user: User, method_id: str | None = None) -> Answer:
    body: dict[str, Any] = {"purpose": "mfa"}
    if method_id:
        body["methodId"] = method_id
    return user.call("POST", "/me/verifications", body)


def throttled(api: Api, user: User) -> list[dict[str, Any]]:
    """The user's PushRequestsThrottled events, once each (the bus is at-least-once: by eventId)."""
    found = {
        e["detail"]["eventId"]: e["detail"]
        for e in api.events()
        if e["detail-type"] == "PushRequestsThrottled" and e["detail"]["userId"] == user.user_id
    }
    return list(found.values())


def with_phone_and_app(api: Api) -> tuple[User, dict[str, Any], str, str]:
    """A phone first (it hears about the refusals), then the app as the default method: (user,
    phone method, phone number, app's method id)."""
    user, mobile = api.user(), new_number()
    phone = add_phone(user, mobile)
    stepped = verify_by_code(user, "stepUp", phone["id"], mobile)
    user.step_up_token = stepped.body["stepUpToken"]
    method, _ = add_app(api, user)
    method_id = str(method["id"])
    assert user.call("PUT", "/me/default-method", {"methodId": method_id}).status == 200
    return user, phone, mobile, method_id


def test_the_sixth_push_in_ten_minutes_is_refused_and_the_user_told_once(api: Api) -> None:
    user, phone, mobile, method_id = with_phone_and_app(api)
    assert [push(user, method_id).status for _ in range(5)] == [201] * 5
    refused = push(user)  # the default method (the app) counts the same
    assert refused.status == 429, refused.body
    assert refused.error["code"] == "too_many_push_requests"
    assert 1 <= refused.error["retryAfter"] <= 600
    assert refused.headers.get("Retry-After") == str(refused.error["retryAfter"])
    assert "authenticator app" in refused.error["message"]
    assert push(user, method_id).status == 429
    [event] = throttled(api, user)
    assert event["maxRequests"] == 5 and event["windowMinutes"] == 10
    # Other methods still work: the limit is on pushes only.
    sms = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    assert sms.status == 201
    notices = [m for m in _wait(api, mobile) if "sign-in requests" in m["body"]]
    assert len(notices) == 1 and "report it" in notices[0]["body"]


def _wait(api: Api, to: str) -> list[dict[str, Any]]:
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [m for m in outbox(api, to) if "sign-in requests" in m["body"]]
        if found:
            time.sleep(1)  # a second notice, if one were coming, has time to show up
            return outbox(api, to)
        time.sleep(0.2)
    return outbox(api, to)


def test_concurrent_starts_never_exceed_the_limit_and_the_user_is_told_once(api: Api) -> None:
    user, _, mobile, method_id = with_phone_and_app(api)
    barrier = threading.Barrier(12)

    def start(_: int) -> int:
        barrier.wait()
        return push(user, method_id).status

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(start, range(12)))
    assert statuses.count(201) == 5, statuses
    assert statuses.count(429) == 7, statuses
    assert len(throttled(api, user)) == 1
    notices = [m for m in _wait(api, mobile) if "sign-in requests" in m["body"]]
    assert len(notices) == 1, notices


@pytest.fixture
def clock_put_back() -> Iterator[None]:
    """The service clock as it was before the test: the runtime runs in this process and its clock is
    an offset in the environment (local/clock.py), so later tests do not start 10 minutes ahead."""
    before = os.environ.get(OFFSET_ENV)
    yield
    if before is None:
        os.environ.pop(OFFSET_ENV, None)
    else:
        os.environ[OFFSET_ENV] = before


@pytest.mark.usefixtures("clock_put_back")
def test_the_window_slides_the_oldest_requests_leave_after_ten_minutes(api: Api) -> None:
    user, method_id = with_app(api)
    assert [push(user, method_id).status for _ in range(3)] == [201] * 3
    api.advance(300)
    assert [push(user, method_id).status for _ in range(2)] == [201] * 2
    refused = push(user, method_id)
    assert refused.status == 429 and refused.error["retryAfter"] <= 300
    api.advance(301)  # the first three are more than 10 minutes old; the last two are not
    assert [push(user, method_id).status for _ in range(3)] == [201] * 3
    assert push(user, method_id).status == 429
    # A new run of refusals is told again.
    assert len(throttled(api, user)) == 2


def test_the_policy_sets_the_limit_and_validates_it(api: Api) -> None:
    boss = admin(api)
    policy = boss.call("GET", "/admin/policy").body
    assert policy["push"] == {"maxRequestsPer10Minutes": 5}
    for bad in (0, 31, "5"):
        refused = boss.call("PUT", "/admin/policy", {**policy, "push": {"maxRequestsPer10Minutes": bad}})
        assert refused.status == 400 and refused.error["field"] == "push.maxRequestsPer10Minutes", bad
    user, method_id = with_app(api)
    with policy_changed(api, {"push": {"maxRequestsPer10Minutes": 2}}):
        assert [push(user, method_id).status for _ in range(3)] == [201, 201, 429]
