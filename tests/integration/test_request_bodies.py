"""Bodies are decoded and checked once, in the HTTP glue, on every route of the template (SPEC 12:
never a 500 for bad input): bytes that are not UTF-8 and JSON strings holding a lone surrogate are
400 ``invalid_json`` with a message naming the problem; a route that takes no body accepts an empty
body or ``{}`` and refuses anything else with 400 before it acts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from contract.openapi import template_routes
from tests.support_admin import admin, service_token
from tests.support_api import Answer, Api, User
from tests.support_codes import begin_phone, new_number, outbox
from tests.support_contract import document

ROUTES = [(r.method, r.path, r.auth.kind) for r in template_routes() if r.method != "GET"]
NO_BODY = [
    (method, path, kind)
    for method, path, kind in ROUTES
    if "requestBody" not in document()["paths"][path][method.lower()]
]


def _call(api: Api, user: User, boss: User, method: str, path: str, kind: str, raw: bytes) -> Answer:
    concrete = re.sub(r"\{userId\}", user.user_id, path)
    concrete = re.sub(r"\{(\w+)\}", "x1.y1", concrete)
    if kind == "iam":
        token: str | None = service_token(api)
    elif kind == "jwt":
        token = boss.token if path.startswith("/admin") else user.token
    else:
        token = None  # device routes: signed by the device, checked after the body is read
    return api.call(method, concrete, token=token, raw=raw)


def _bad_input(answer: Answer, problem: str) -> None:
    assert answer.status == 400, answer.body
    assert answer.error["code"] == "invalid_json", answer.body
    assert problem in answer.error["message"], answer.body
    assert "Traceback" not in json.dumps(answer.body)


@pytest.mark.parametrize(("method", "path", "kind"), ROUTES)
def test_bytes_that_are_not_utf8_are_400_on_every_route(api: Api, method: str, path: str, kind: str) -> None:
    user, boss = api.user(), admin(api)
    answer = _call(api, user, boss, method, path, kind, b'{"displayName": "caf\xe9 \xff"}')
    _bad_input(answer, "not valid UTF-8")


@pytest.mark.parametrize(("method", "path", "kind"), ROUTES)
def test_a_lone_surrogate_is_400_on_every_route(api: Api, method: str, path: str, kind: str) -> None:
    user, boss = api.user(), admin(api)
    answer = _call(api, user, boss, method, path, kind, b'{"displayName": "a\\ud800b"}')
    _bad_input(answer, "surrogate")
    assert answer.error["field"] == "displayName"


def test_lone_surrogates_in_names_and_passwords_are_refused_where_they_used_to_fail(api: Api) -> None:
    user = api.user()
    for path, raw in (
        ("/me/methods", b'{"type": "softwareOath", "displayName": "\\udfff"}'),
        ("/me/app-passwords", b'{"name": "Mail \\ud83d"}'),
    ):
        _bad_input(api.call("POST", path, raw=raw, token=user.token), "surrogate")
    check = api.call(
        "POST",
        "/signin/app-password-check",
        raw=json.dumps({"userId": user.user_id}).encode()[:-1] + b', "password": "\\ud800"}',
        token=service_token(api),
    )
    _bad_input(check, "surrogate")
    assert check.error["field"] == "password"
    # A real character written as an escaped pair is text like any other.
    named = api.call("POST", "/me/methods", raw=b'{"type": "softwareOath", "displayName": "\\ud83d\\ude00"}',
                     token=user.token)  # fmt: skip
    assert named.status == 201, named.body


@pytest.mark.parametrize("garbage", [{"isAdmin": True}, [], "hello", None])
@pytest.mark.parametrize(("method", "path", "kind"), NO_BODY)
def test_a_route_that_takes_no_body_refuses_one(
    api: Api, method: str, path: str, kind: str, garbage: Any
) -> None:
    user, boss = api.user(), admin(api)
    answer = _call(api, user, boss, method, path, kind, json.dumps(garbage).encode())
    assert answer.status == 400, answer.body
    assert "takes no" in answer.error["message"], answer.body
    if isinstance(garbage, dict):
        assert answer.error["code"] == "unknown_field" and answer.error["field"] == "isAdmin"


def test_no_body_routes_take_an_empty_body_or_braces_and_refuse_before_acting(api: Api) -> None:
    user, boss = api.user(), admin(api)
    # Enrollment: garbage starts nothing; {} and an empty body start (and resume) the wizard.
    assert user.call("POST", "/me/enrollment", "hello").status == 400
    assert user.call("GET", "/me/enrollment").status == 404
    assert user.call("POST", "/me/enrollment", {}).status == 201
    assert api.call("POST", "/me/enrollment", token=user.token, raw=b"").status == 200
    # Resend: garbage sends nothing.
    other = api.user()
    number = new_number()
    rid = begin_phone(other, number).body["registrationId"]
    api.advance(31)
    resend = f"/me/methods/registrations/{rid}/resend"
    assert other.call("POST", resend, {"isAdmin": True}).status == 400
    assert len(outbox(api, number)) == 1
    assert other.call("POST", resend, {}).status == 202
    assert len(outbox(api, number)) == 2
    # Unlock: garbage unlocks nothing (no UserUnlocked), {} does.
    unlock = f"/admin/users/{user.user_id}/unlock"
    assert boss.call("POST", unlock, ["me"]).status == 400
    unlocked = [e for e in api.events() if e["detail-type"] == "UserUnlocked"]
    assert not [e for e in unlocked if e["detail"]["userId"] == user.user_id]
    assert boss.call("POST", unlock, {}).status == 204
