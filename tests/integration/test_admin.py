"""The administrator's side: the policy (validated, audited), and per-user view, resets, temporary
access passes and unlock. Non-administrators are refused everywhere; every action is audited with
``actor: admin:<id>`` against the user it touched."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from securityinfo.methods.registry import METHOD_TYPES
from tests.support_admin import admin, policy_changed, service_token
from tests.support_api import Api, User
from tests.support_events import validate_event

ADMIN_ROUTES = [
    ("GET", "/admin/policy"),
    ("GET", "/admin/method-types"),
    ("PUT", "/admin/policy"),
    ("GET", "/admin/users/{user}/security-info"),
    ("DELETE", "/admin/users/{user}/security-info"),
    ("DELETE", "/admin/users/{user}/app-passwords"),
    ("DELETE", "/admin/users/{user}/remembered-devices"),
    ("POST", "/admin/users/{user}/temporary-access-pass"),
    ("POST", "/admin/users/{user}/unlock"),
]


def events_about(api: Api, user_id: str, detail_type: str | None = None) -> list[dict[str, Any]]:
    found = [e for e in api.events() if e["detail"].get("userId") == user_id]
    for event in found:
        validate_event(event["detail-type"], event["detail"])
    return [e["detail"] for e in found if detail_type is None or e["detail-type"] == detail_type]


def lock_out(user: User) -> None:
    for _ in range(2):
        started = user.call("POST", "/me/verifications", {"purpose": "mfa"})
        assert started.status == 201, started.body
        for _ in range(5):
            user.call("POST", f"/me/verifications/{started.body['verificationId']}", {"code": "000000"})
    assert user.call("POST", "/me/verifications", {"purpose": "mfa"}).status == 423


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_refuse_everyone_else(api: Api, method: str, path: str) -> None:
    victim = api.user()
    victim.add_totp()
    route = path.replace("{user}", victim.user_id)
    body = admin(api).call("GET", "/admin/policy").body if method == "PUT" else {}
    for token in (api.user().token, victim.token, service_token(api)):
        refused = api.call(method, route, body, token=token)
        assert refused.status == 403, (route, refused.body)
        assert refused.error["code"] == "admin_required"
    assert api.call(method, route, body).status == 401
    assert len(victim.info()["methods"]) == 1


# --- policy -------------------------------------------------------------------------------------


def test_what_get_returns_is_valid_put_input_and_a_change_is_audited(api: Api) -> None:
    boss = admin(api)
    current = boss.call("GET", "/admin/policy")
    assert current.status == 200
    assert set(current.body) >= {"enabledMethodTypes", "registration", "rememberDeviceDays", "appPasswords"}
    unchanged = boss.call("PUT", "/admin/policy", current.body)
    assert unchanged.status == 200 and unchanged.body == current.body
    changed = copy.deepcopy(current.body)
    changed["lockout"]["threshold"] = 5
    changed["rememberDeviceDays"] = 30
    try:
        assert boss.call("PUT", "/admin/policy", changed).status == 200
        assert boss.call("GET", "/admin/policy").body == changed
        assert api.user().info()["rememberDeviceDays"] == 30
    finally:
        assert boss.call("PUT", "/admin/policy", current.body).status == 200
    audit = events_about(api, boss.user_id, "PolicyChanged")
    assert len(audit) == 2  # the change, and putting it back
    assert audit[0]["actor"] == f"admin:{boss.user_id}"
    assert audit[0]["changedFields"] == ["lockout.threshold", "rememberDeviceDays"]
    assert audit[0]["before"] == {
        "lockout": {"threshold": current.body["lockout"]["threshold"]},
        "rememberDeviceDays": current.body["rememberDeviceDays"],
    }
    assert audit[0]["after"] == {"lockout": {"threshold": 5}, "rememberDeviceDays": 30}


def _without_phone(doc: dict[str, Any]) -> None:
    doc["enabledMethodTypes"].remove("phone")


def _two_questions(doc: dict[str, Any]) -> None:
    doc["securityQuestions"]["questions"] = doc["securityQuestions"]["questions"][:2]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_without_phone, "registration.requiredTypes[1]"),
        (_two_questions, "securityQuestions.registerCount"),
        (lambda d: d.update(ssprMethodsRequired=3), "ssprMethodsRequired"),
        (lambda d: d.update(rememberDeviceDays=366), "rememberDeviceDays"),
        (lambda d: d["registration"].update(snoozeDays=15), "registration.snoozeDays"),
        (lambda d: d["appPasswords"].update(required=True, enabled=False), "appPasswords.required"),
        (lambda d: d.update(unexpected=True), "unexpected"),
        (lambda d: d.pop("lockout"), "lockout"),
    ],
)
def test_an_inconsistent_policy_is_a_400_naming_the_field_and_changes_nothing(
    api: Api, change: Any, field: str
) -> None:
    boss = admin(api)
    before = boss.call("GET", "/admin/policy").body
    doc = copy.deepcopy(before)
    change(doc)
    refused = boss.call("PUT", "/admin/policy", doc)
    assert refused.status == 400, refused.body
    assert refused.error["field"] == field
    assert refused.error["message"]
    assert boss.call("GET", "/admin/policy").body == before


# --- one user -----------------------------------------------------------------------------------


def test_the_admin_view_is_masked_and_complete(api: Api) -> None:
    user = api.user()
    method, secret = user.add_totp()
    boss = admin(api)
    view = boss.call("GET", f"/admin/users/{user.user_id}/security-info")
    assert view.status == 200, view.body
    assert [m["id"] for m in view.body["methods"]] == [method["id"]]
    assert view.body["lockout"] == {"locked": False, "lockedUntil": None, "failedCount": 0}
    assert view.body["temporaryAccessPass"] is None
    assert view.body["appPasswordList"] == [] and view.body["rememberedDevices"] == []
    assert secret not in json.dumps(view.body) and secret.lower() not in json.dumps(view.body)
    assert boss.call("GET", "/admin/users/no%23such/security-info").status == 404
    assert view.body["known"] is True


def test_an_id_nobody_used_is_told_apart_from_a_user_without_methods(api: Api) -> None:
    boss = admin(api)
    typo = boss.call("GET", "/admin/users/u-nobody-ever-here/security-info")
    assert typo.status == 200 and typo.body["known"] is False and typo.body["methods"] == []
    # A user who has done something here (a method added, then deleted) is known.
    user = api.user()
    method, secret = user.add_totp()
    user.step_up(secret)
    assert user.call("DELETE", f"/me/methods/{method['id']}").status == 204
    seen = boss.call("GET", f"/admin/users/{user.user_id}/security-info")
    assert seen.body["methods"] == [] and seen.body["known"] is True


def test_clearing_a_user_removes_everything_and_they_register_again(api: Api) -> None:
    user = api.user()
    boss = admin(api)
    with policy_changed(api, {"appPasswords": {"enabled": True}}):
        password = user.call("POST", "/me/app-passwords", {"name": "Outlook"}).body["password"]
        _, secret = user.add_totp()
        user.step_up(secret)
        started = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        token = user.call(
            "POST", f"/me/verifications/{started}", {"code": user.code(secret), "rememberDevice": True}
        ).body["rememberDeviceToken"]
        assert boss.call("DELETE", f"/admin/users/{user.user_id}/security-info").status == 204
        info = user.info()
        assert info["methods"] == [] and info["defaultMethodId"] is None
        assert info["registration"]["required"] is True
        assert info["appPasswords"]["count"] == 0
        assert user.call("GET", "/me/app-passwords").body["appPasswords"] == []
        assert user.call("GET", "/me/remembered-devices").body["devices"] == []
        service = service_token(api)
        check = {"userId": user.user_id, "password": password}
        assert api.call("POST", "/signin/app-password-check", check, token=service).body == {"valid": False}
        status = api.call(
            "POST",
            "/signin/mfa-status",
            {"userId": user.user_id, "rememberDeviceToken": token},
            token=service,
        ).body
        assert status["registrationRequired"] is True and status["defaultMethod"] is None
    # The step-up earned before the reset is gone with it, and the user bootstraps again.
    user.add_totp("After the reset")
    assert user.call("POST", "/me/methods", {"type": "softwareOath"}).status == 403
    cleared = events_about(api, user.user_id, "SecurityInfoCleared")
    assert len(cleared) == 1
    assert cleared[0]["actor"] == f"admin:{boss.user_id}"
    assert cleared[0]["appPasswordsDeleted"] == 1
    assert [m["methodType"] for m in cleared[0]["methodsRemoved"]] == ["softwareOath"]


def test_deleting_a_users_app_passwords(api: Api) -> None:
    user = api.user()
    boss = admin(api)
    with policy_changed(api, {"appPasswords": {"enabled": True}}):
        for name in ("Outlook", "Thunderbird"):
            assert user.call("POST", "/me/app-passwords", {"name": name}).status == 201
        assert boss.call("DELETE", f"/admin/users/{user.user_id}/app-passwords").status == 204
        assert user.call("GET", "/me/app-passwords").body["appPasswords"] == []
        assert user.info()["appPasswords"]["count"] == 0
        assert user.call("POST", "/me/app-passwords", {"name": "New"}).status == 201
    deleted = events_about(api, user.user_id, "AppPasswordDeleted")
    assert [(d["deletedCount"], d["actor"]) for d in deleted] == [(2, f"admin:{boss.user_id}")]


def test_unlock_lifts_a_lockout_at_once(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    lock_out(user)
    boss = admin(api)
    assert boss.call("GET", f"/admin/users/{user.user_id}/security-info").body["lockout"]["locked"] is True
    assert boss.call("POST", f"/admin/users/{user.user_id}/unlock").status == 204
    assert user.verify("mfa", secret).status == 200
    unlocked = events_about(api, user.user_id, "UserUnlocked")
    assert len(unlocked) == 1 and unlocked[0]["actor"] == f"admin:{boss.user_id}"
    assert unlocked[0]["previouslyLockedUntil"] is not None


# --- temporary access pass ----------------------------------------------------------------------


def issue(api: Api, user: User, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = admin(api).call("POST", f"/admin/users/{user.user_id}/temporary-access-pass", body or {})
    assert answer.status == 201, answer.body
    return dict(answer.body)


def test_a_single_use_pass_works_once_and_for_its_own_user_only(api: Api) -> None:
    bob, mallory = api.user(), api.user()
    bob.add_totp()
    mallory.add_totp()
    tap = issue(api, bob)
    assert tap["singleUse"] is True and tap["expiresAt"].endswith("Z")
    header = {"X-Temporary-Access-Pass": tap["temporaryAccessPass"]}
    # Someone else's pass is nothing to them (and counts as a failed attempt).
    stolen = mallory.call("POST", "/me/methods", {"type": "softwareOath"}, header)
    assert stolen.status == 403 and stolen.error["code"] == "step_up_required"
    assert bob.call("POST", "/me/methods", {"type": "softwareOath"}, header).status == 201
    again = bob.call("POST", "/me/methods", {"type": "softwareOath"}, header)
    assert again.status == 403 and again.error["code"] == "step_up_required"
    issued = events_about(api, bob.user_id, "TemporaryAccessPassIssued")
    assert len(issued) == 1 and issued[0]["actor"].startswith("admin:")
    assert tap["temporaryAccessPass"] not in json.dumps(issued)


def test_a_multi_use_pass_works_until_it_expires(api: Api) -> None:
    user = api.user()
    method, _ = user.add_totp()
    tap = issue(api, user, {"singleUse": False, "lifetimeMinutes": 10})
    header = {"X-Temporary-Access-Pass": tap["temporaryAccessPass"]}
    for name in ("One", "Two"):
        assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": name}, header).status == 200
    api.advance(10 * 60 + 1)
    late = user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Late"}, header)
    assert late.status == 403


def test_a_pass_outside_the_policys_lifetimes_is_refused(api: Api) -> None:
    user = api.user()
    boss = admin(api)
    for body in ({"lifetimeMinutes": 481}, {"lifetimeMinutes": 5}, {"lifetimeMinutes": "60"}, {"x": 1}):
        refused = boss.call("POST", f"/admin/users/{user.user_id}/temporary-access-pass", body)
        assert refused.status == 400, (body, refused.body)


def test_the_policy_can_demand_a_pass_for_the_first_method(api: Api) -> None:
    user = api.user()
    with policy_changed(api, {"registration": {"bootstrapRequiresTemporaryAccessPass": True}}):
        refused = user.call("POST", "/me/methods", {"type": "softwareOath"})
        assert refused.status == 403 and refused.error["code"] == "step_up_required"
        assert "temporary access pass" in refused.error["message"]
        tap = issue(api, user)
        begun = user.call(
            "POST",
            "/me/methods",
            {"type": "softwareOath"},
            {"X-Temporary-Access-Pass": tap["temporaryAccessPass"]},
        )
        assert begun.status == 201, begun.body


def test_every_event_of_app_passwords_devices_and_admin_actions_matches_its_schema(api: Api) -> None:
    user = api.user()
    boss = admin(api)
    secrets: list[str] = []
    with policy_changed(api, {"appPasswords": {"enabled": True}}):
        created = user.call("POST", "/me/app-passwords", {"name": "Outlook"}).body
        secrets.append(created["password"])
        _, secret = user.add_totp()
        user.step_up(secret)
        assert user.call("DELETE", f"/me/app-passwords/{created['id']}").status == 204
        started = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        token = user.call(
            "POST", f"/me/verifications/{started}", {"code": user.code(secret), "rememberDevice": True}
        ).body["rememberDeviceToken"]
        secrets.append(token)
        assert user.call("DELETE", f"/me/remembered-devices/{token.partition('.')[0]}").status == 204
        assert user.call("DELETE", "/me/remembered-devices").status == 204
        secrets.append(issue(api, user)["temporaryAccessPass"])
        assert user.call("POST", "/me/app-passwords", {"name": "Thunderbird"}).status == 201
        for route in ("app-passwords", "remembered-devices", "security-info"):
            assert boss.call("DELETE", f"/admin/users/{user.user_id}/{route}").status == 204
        assert boss.call("POST", f"/admin/users/{user.user_id}/unlock").status == 204
    mine = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    for event in mine:
        validate_event(event["detail-type"], event["detail"])
    kinds = {e["detail-type"] for e in mine}
    assert kinds >= {
        "AppPasswordCreated",
        "AppPasswordDeleted",
        "RememberedDevicesForgotten",
        "TemporaryAccessPassIssued",
        "SecurityInfoCleared",
        "UserUnlocked",
    }
    forgotten = [e["detail"] for e in mine if e["detail-type"] == "RememberedDevicesForgotten"]
    assert [(d["scope"], d["reason"]) for d in forgotten] == [
        ("device", "user_request"),
        ("all", "user_request"),
        ("all", "admin_reset"),
    ]
    text = json.dumps(mine)
    for value in secrets:
        assert value not in text


def test_the_method_types_the_admin_page_lists_are_the_ones_the_policy_names(api: Api) -> None:
    """The page keeps no list of its own: what the service declares is what it shows."""
    boss = admin(api)
    answer = boss.call("GET", "/admin/method-types")
    assert answer.status == 200, answer.body
    types = answer.body["methodTypes"]
    assert [t["type"] for t in types] == list(METHOD_TYPES)
    by_type = {t["type"]: t for t in types}
    assert by_type["authenticatorApp"]["label"] == "Authenticator app (push and codes)"
    assert by_type["email"] == by_type["email"] | {"usableFor": ["sspr"], "mfaCapable": False, "limit": 1}
    assert by_type["softwareOath"]["limit"] == 5 and by_type["softwareOath"]["mfaCapable"] is True
