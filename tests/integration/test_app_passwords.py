"""App passwords as a user, an attacker and the sign-in service see them: shown once, never kept,
at most 40 (also under concurrency), checked by the sign-in service only, failures toward lockout."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from tests.conftest import LogCapture
from tests.support_admin import check_app_password, policy_changed, service_token
from tests.support_api import Api, User
from tests.support_events import validate_event

PASSWORD = re.compile(r"[a-z]{24}")


@pytest.fixture
def enabled(api: Api) -> Iterator[dict[str, Any]]:
    with policy_changed(api, {"appPasswords": {"enabled": True}}) as policy:
        yield policy


def create(user: User, name: str = "Outlook 2010", headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer = user.call("POST", "/me/app-passwords", {"name": name}, headers)
    assert answer.status == 201, answer.body
    return dict(answer.body)


def listed(user: User) -> list[dict[str, Any]]:
    answer = user.call("GET", "/me/app-passwords")
    assert answer.status == 200, answer.body
    return list(answer.body["appPasswords"])


def test_a_created_password_is_shown_once_and_listed_without_it(api: Api, enabled: Any) -> None:
    user = api.user()
    created = create(user)
    assert PASSWORD.fullmatch(created["password"])
    assert created["name"] == "Outlook 2010" and created["id"] and created["createdAt"].endswith("Z")
    items = listed(user)
    assert items == [{k: created[k] for k in ("id", "name", "createdAt")} | {"lastUsedAt": None}]
    assert user.call("GET", "/me/app-passwords").body["limit"] == 40
    assert user.info()["appPasswords"] == {"enabled": True, "count": 1, "limit": 40}
    assert created["password"] not in json.dumps([user.info(), listed(user)])


def test_app_passwords_need_the_policy_to_allow_them(api: Api) -> None:
    user = api.user()
    with policy_changed(api, {"appPasswords": {"enabled": False}}):
        refused = user.call("POST", "/me/app-passwords", {"name": "Outlook"})
        assert refused.status == 403
        assert refused.error["code"] == "app_passwords_disabled"
        assert user.info()["appPasswords"]["enabled"] is False


def test_creating_and_deleting_need_a_step_up(api: Api, enabled: Any) -> None:
    user = api.user()
    _, secret = user.add_totp()
    refused = user.call("POST", "/me/app-passwords", {"name": "Outlook"})
    assert refused.status == 403 and refused.error["code"] == "step_up_required"
    user.step_up(secret)
    created = create(user)
    user.step_up_token = None
    assert user.call("DELETE", f"/me/app-passwords/{created['id']}").status == 403
    user.step_up(secret)
    assert user.call("DELETE", f"/me/app-passwords/{created['id']}").status == 204
    assert listed(user) == []
    assert user.info()["appPasswords"]["count"] == 0


def test_forty_then_a_clear_refusal_then_room_again_after_a_delete(api: Api, enabled: Any) -> None:
    user = api.user()  # no method yet: the bootstrap needs no step-up
    made = [create(user, f"App {i}") for i in range(40)]
    refused = user.call("POST", "/me/app-passwords", {"name": "One too many"})
    assert refused.status == 409
    assert refused.error["code"] == "app_password_limit"
    assert refused.error["message"] == (
        "You already have 40 app passwords, the most you can have. "
        "Delete one you no longer use, then create a new one."
    )
    # The same refusal when the request carries an Idempotency-Key (a client retrying safely).
    keyed = user.call(
        "POST", "/me/app-passwords", {"name": "One too many"}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert keyed.status == 409 and keyed.error["code"] == "app_password_limit"
    assert len(listed(user)) == 40 and user.info()["appPasswords"]["count"] == 40
    assert len({m["password"] for m in made}) == 40
    assert user.call("DELETE", f"/me/app-passwords/{made[0]['id']}").status == 204
    create(user, "Room again")
    assert len(listed(user)) == 40


def test_concurrent_creates_from_38_let_exactly_two_through(api: Api, enabled: Any) -> None:
    user = api.user()
    for i in range(38):
        create(user, f"App {i}")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(lambda i: user.call("POST", "/me/app-passwords", {"name": f"Race {i}"}), range(6))
        )
    statuses = sorted(a.status for a in answers)
    assert statuses == [201, 201, 409, 409, 409, 409], [a.body for a in answers]
    assert all(a.error["code"] == "app_password_limit" for a in answers if a.status == 409)
    assert len(listed(user)) == 40
    assert user.info()["appPasswords"]["count"] == 40


def test_a_repeated_create_with_the_same_idempotency_key_does_not_show_or_make_another(
    api: Api, enabled: Any
) -> None:
    user = api.user()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = create(user, "Outlook", key)
    again = user.call("POST", "/me/app-passwords", {"name": "Outlook"}, key)
    assert again.status == 409
    assert again.error["code"] == "app_password_already_created"
    assert first["password"] not in json.dumps(again.body)
    assert [a["id"] for a in listed(user)] == [first["id"]]
    other = user.call("POST", "/me/app-passwords", {"name": "Something else"}, key)
    assert other.status == 409 and other.error["code"] == "idempotency_key_reused"


def test_names_are_checked(api: Api, enabled: Any) -> None:
    user = api.user()
    for body, field in (
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({}, "name"),
        ({"name": "Outlook", "password": "abcdabcdabcdabcdabcdabcd"}, "password"),
        ({"name": 7}, "name"),
    ):
        answer = user.call("POST", "/me/app-passwords", body)
        assert answer.status == 400, (body, answer.body)
        assert answer.error["field"] == field
    assert listed(user) == []


def test_another_users_app_password_is_not_found(api: Api, enabled: Any) -> None:
    alice, bob = api.user(), api.user()
    mine = create(alice)
    assert bob.call("DELETE", f"/me/app-passwords/{mine['id']}").status == 404
    assert bob.call("DELETE", "/me/app-passwords/apnothing").status == 404
    assert [a["id"] for a in listed(alice)] == [mine["id"]]


# --- the sign-in service's check ------------------------------------------------------------


def test_the_sign_in_check_accepts_the_password_until_it_is_deleted(api: Api, enabled: Any) -> None:
    user = api.user()
    created = create(user)
    password = created["password"]
    valid = check_app_password(api, user.user_id, password)
    assert valid.status == 200 and valid.body == {"valid": True}
    assert listed(user)[0]["lastUsedAt"] is not None
    # As typed from the page: groups of four, any case.
    spaced = " ".join(password[i : i + 4] for i in range(0, 24, 4)).upper()
    assert check_app_password(api, user.user_id, spaced).body == {"valid": True}
    wrong = password[:-1] + ("a" if password[-1] != "a" else "b")
    assert check_app_password(api, user.user_id, wrong).body == {"valid": False}
    assert check_app_password(api, api.user().user_id, password).body == {"valid": False}
    assert user.call("DELETE", f"/me/app-passwords/{created['id']}").status == 204
    assert check_app_password(api, user.user_id, password).body == {"valid": False}


def test_wrong_passwords_lock_the_user_out_and_the_lock_ends(api: Api, enabled: Any) -> None:
    user = api.user()
    password = create(user)["password"]
    user.add_totp()
    statuses = [check_app_password(api, user.user_id, "wrongwrongwrongwrongwron").status for _ in range(10)]
    assert statuses == [200] * 9 + [423], statuses
    locked = check_app_password(api, user.user_id, password)
    assert locked.status == 423 and locked.error["retryAfter"] > 0
    assert locked.headers.get("Retry-After")
    # The lockout is the user's, across routes: their verifications are locked too.
    assert user.call("POST", "/me/verifications", {"purpose": "mfa"}).status == 423
    api.advance(15 * 60 + 1)
    assert check_app_password(api, user.user_id, password).body == {"valid": True}
    locked_out = [
        e["detail"]
        for e in api.events()
        if e["detail-type"] == "UserLockedOut" and e["detail"]["userId"] == user.user_id
    ]
    assert len(locked_out) == 1 and locked_out[0]["actor"] == "system"
    validate_event("UserLockedOut", locked_out[0])


def test_a_disabled_policy_turns_app_passwords_off_without_locking_anyone_out(api: Api) -> None:
    user = api.user()
    with policy_changed(api, {"appPasswords": {"enabled": True}}):
        password = create(user)["password"]
    with policy_changed(api, {"appPasswords": {"enabled": False}}):
        for _ in range(12):
            assert check_app_password(api, user.user_id, password).body == {"valid": False}
        assert len(listed(user)) == 1  # still listed, so the user can delete it
    with policy_changed(api, {"appPasswords": {"enabled": True}}):
        assert check_app_password(api, user.user_id, password).body == {"valid": True}


def test_only_the_sign_in_service_may_check(api: Api, enabled: Any) -> None:
    user = api.user()
    password = create(user)["password"]
    body = {"userId": user.user_id, "password": password}
    assert api.call("POST", "/signin/app-password-check", body).status == 403
    assert api.call("POST", "/signin/app-password-check", body, token=user.token).status == 403
    admin_token = api.user(admin=True).token
    assert api.call("POST", "/signin/app-password-check", body, token=admin_token).status == 403
    service = service_token(api)
    assert api.call("POST", "/signin/app-password-check", body, token=service).status == 200
    bad = api.call("POST", "/signin/app-password-check", {"userId": user.user_id}, token=service)
    assert bad.status == 400 and bad.error["field"] == "password"


def test_an_app_password_never_stands_in_for_step_up(api: Api, enabled: Any) -> None:
    user = api.user()
    _, secret = user.add_totp()
    user.step_up(secret)
    password = create(user)["password"]
    user.step_up_token = None
    for header in ("X-Step-Up-Token", "X-Temporary-Access-Pass"):
        refused = user.call("POST", "/me/app-passwords", {"name": "Sneaky"}, {header: password})
        assert refused.status == 403, (header, refused.body)
        assert refused.error["code"] == "step_up_required"
    # Nor does it replace the user's token on any route.
    assert api.call("GET", "/me/security-info", token=password).status == 401
    assert api.call("GET", "/admin/policy", token=password).status == 401


# --- the password is nowhere ------------------------------------------------------------------


def _table_items(runtime: Any, user_id: str) -> list[dict[str, Any]]:
    client = boto3.client(
        "dynamodb",
        endpoint_url=runtime.moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )
    table = client.list_tables()["TableNames"][0]
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=table):
        items += page["Items"]
    return [i for i in items if user_id in json.dumps(i, default=repr)]


def test_the_password_is_in_no_list_log_event_or_table_item(
    api: Api, runtime: Any, log_capture: LogCapture, enabled: Any
) -> None:
    start = len(log_capture.lines)
    user = api.user()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    created = create(user, headers=key)
    password = created["password"]
    assert user.call("POST", "/me/app-passwords", {"name": "Outlook 2010"}, key).status == 409
    check_app_password(api, user.user_id, password)
    check_app_password(api, user.user_id, password.upper())
    check_app_password(api, user.user_id, password[::-1])
    listing = user.call("GET", "/me/app-passwords").body
    overview = user.info()
    items = _table_items(runtime, user.user_id)
    assert any(i["kind"]["S"] == "apppassword" for i in items)
    assert any(i["kind"]["S"] == "idempotency" for i in items)
    mine = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    assert [e["detail-type"] for e in mine] == ["AppPasswordCreated"]
    validate_event("AppPasswordCreated", mine[0]["detail"])
    logs = "\n".join(log_capture.lines[start:])
    assert logs
    everything = json.dumps([listing, overview, items, mine], default=repr) + logs
    assert password not in everything.lower()
