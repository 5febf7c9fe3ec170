"""Recovery codes (docs/RULES.md) as a user, an attacker, the sign-in service and an administrator see
them, through the local runtime over HTTP: ten 50-bit codes shown once, each good once (also under
concurrent requests), replaced all at once, low at 3 with one notice, never for password reset,
never the default, never enough for registration or the bootstrap."""

from __future__ import annotations

import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from securityinfo.methods import recovery_codes
from tests.conftest import LogCapture
from tests.support_admin import admin, mfa_status, policy_changed
from tests.support_api import Answer, Api, User
from tests.support_codes import add_phone, new_number, wait_for

CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}")


def enrolled(api: Api) -> tuple[User, str]:
    """A user with an authenticator app (TOTP), stepped up; returns (user, secret)."""
    user = api.user()
    _, secret = user.add_totp()
    user.step_up(secret)
    return user, secret


def create(user: User) -> dict[str, Any]:
    answer = user.call("POST", "/me/recovery-codes")
    assert answer.status == 201, answer.body
    return dict(answer.body)


def use(user: User, method_id: str, code: str, purpose: str = "mfa") -> Answer:
    started = user.call("POST", "/me/verifications", {"purpose": purpose, "methodId": method_id})
    assert started.status == 201, started.body
    assert started.body["type"] == "recoveryCodes" and started.body["challenge"] == {}
    return user.call("POST", f"/me/verifications/{started.body['verificationId']}", {"code": code})


def status(user: User) -> dict[str, Any]:
    answer = user.call("GET", "/me/recovery-codes")
    assert answer.status == 200, answer.body
    return dict(answer.body)


def used_events(api: Api, user: User) -> list[dict[str, Any]]:
    """The user's RecoveryCodeUsed events, once each (the bus is at-least-once: by eventId)."""
    found = {
        e["detail"]["eventId"]: e["detail"]
        for e in api.events()
        if e["detail-type"] == "RecoveryCodeUsed" and e["detail"]["userId"] == user.user_id
    }
    return list(found.values())


def test_the_alphabet_has_32_symbols_without_look_alikes_so_a_code_is_50_bits() -> None:
    assert len(set(recovery_codes.ALPHABET)) == 32
    assert not set("ILOU") & set(recovery_codes.ALPHABET)
    assert recovery_codes.LENGTH * math.log2(len(recovery_codes.ALPHABET)) == 50
    # What a person may have typed: no separator, lower case, O for 0 and l for 1.
    assert recovery_codes.normalize(" abcde-0o1lz ") == "ABCDE0011Z"
    assert recovery_codes.normalize("ABCDE-FGHJ") is None
    assert recovery_codes.normalize("ABCDE-FGHJU") is None


def test_a_set_is_ten_distinct_codes_shown_once(api: Api, log_capture: LogCapture) -> None:
    user, _ = enrolled(api)
    created = create(user)
    codes = created["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(CODE.fullmatch(code) for code in codes), codes
    assert created["methodId"] and created["createdAt"].endswith("Z")
    shown = status(user)
    assert shown["total"] == 10 and shown["remaining"] == 10 and shown["low"] is False
    assert shown["methodId"] == created["methodId"]
    info = user.info()
    assert info["recoveryCodes"] == {"enabled": True, "remaining": 10, "total": 10, "low": False}
    [listed] = [m for m in info["methods"] if m["type"] == "recoveryCodes"]
    assert listed["remaining"] == 10 and listed["usableFor"] == ["mfa"] and listed["isDefault"] is False
    readable = " ".join([str(shown), str(info), *log_capture.lines, str(api.events())])
    assert not any(code in readable or code.replace("-", "") in readable for code in codes)


def test_creating_needs_a_method_for_two_step_verification_then_a_step_up(api: Api) -> None:
    newcomer = api.user()
    refused = newcomer.call("POST", "/me/recovery-codes")
    assert refused.status == 400 and refused.error["code"] == "no_method_registered"
    user = api.user()
    user.add_totp()
    assert user.call("POST", "/me/recovery-codes").error["code"] == "step_up_required"


def test_the_policy_can_switch_recovery_codes_off(api: Api) -> None:
    user, _ = enrolled(api)
    with policy_changed(api, {"recoveryCodes": {"enabled": False}}):
        refused = user.call("POST", "/me/recovery-codes")
        assert refused.status == 403 and refused.error["code"] == "recovery_codes_disabled"
        assert user.info()["recoveryCodes"]["enabled"] is False
    boss = admin(api)
    policy = boss.call("GET", "/admin/policy").body
    assert policy["recoveryCodes"] == {"enabled": True, "offerInWizard": True}
    bad = boss.call(
        "PUT", "/admin/policy", {**policy, "recoveryCodes": {"enabled": "yes", "offerInWizard": True}}
    )
    assert bad.status == 400 and bad.error["field"] == "recoveryCodes.enabled"


def test_a_code_works_once_typed_any_case_with_or_without_the_dash(api: Api) -> None:
    user, _ = enrolled(api)
    created = create(user)
    method_id, first, second = created["methodId"], created["codes"][0], created["codes"][1]
    assert use(user, method_id, first.replace("-", "").lower()).status == 200
    again = use(user, method_id, first)
    assert again.status == 400 and again.error["code"] == "invalid_code"
    stepped = use(user, method_id, second, "stepUp")
    assert stepped.status == 200 and stepped.body["stepUpToken"]
    shown = status(user)
    assert shown["remaining"] == 8 and shown["lastUsedAt"]
    assert [e["remaining"] for e in used_events(api, user)] == [9, 8]


def test_concurrent_requests_with_one_code_only_one_wins(api: Api) -> None:
    user, _ = enrolled(api)
    created = create(user)
    method_id, code = created["methodId"], created["codes"][0]
    started = []
    for _ in range(8):
        answer = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": method_id})
        assert answer.status == 201, answer.body
        started.append(answer.body["verificationId"])
    barrier = threading.Barrier(len(started))

    def complete(vid: str) -> int:
        barrier.wait()
        return user.call("POST", f"/me/verifications/{vid}", {"code": code}).status

    with ThreadPoolExecutor(len(started)) as pool:
        statuses = sorted(pool.map(complete, started))
    assert statuses.count(200) == 1, statuses
    assert set(statuses) == {200, 400}, statuses
    assert status(user)["remaining"] == 9


def test_concurrent_requests_with_different_codes_all_win_and_count_exactly(api: Api) -> None:
    user, _ = enrolled(api)
    created = create(user)
    method_id, codes = created["methodId"], created["codes"][:6]
    started = []
    for _ in codes:
        answer = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": method_id})
        started.append(answer.body["verificationId"])
    barrier = threading.Barrier(len(codes))

    def complete(pair: tuple[str, str]) -> int:
        barrier.wait()
        return user.call("POST", f"/me/verifications/{pair[0]}", {"code": pair[1]}).status

    with ThreadPoolExecutor(len(codes)) as pool:
        statuses = list(pool.map(complete, zip(started, codes, strict=True)))
    assert statuses == [200] * 6, statuses
    assert status(user)["remaining"] == 4
    # Each use reports the count after it (exact: the set's size is part of the condition). Events
    # are at-least-once through the local stream, so compare by eventId.
    assert {e["remaining"] for e in used_events(api, user)} <= {4, 5, 6, 7, 8, 9}


def test_a_new_set_replaces_the_old_one_at_once(api: Api) -> None:
    user, _ = enrolled(api)
    old = create(user)
    assert use(user, old["methodId"], old["codes"][0]).status == 200
    new = create(user)
    assert new["methodId"] == old["methodId"] and not set(new["codes"]) & set(old["codes"])
    assert status(user)["remaining"] == 10
    for code in old["codes"][1:3]:
        assert use(user, new["methodId"], code).error["code"] == "invalid_code"
    assert use(user, new["methodId"], new["codes"][0]).status == 200
    generated = [
        e["detail"]
        for e in api.events()
        if e["detail-type"] == "RecoveryCodesGenerated" and e["detail"]["userId"] == user.user_id
    ]
    assert [g["replaced"] for g in generated] == [False, True]


def test_three_left_is_low_and_told_once_while_every_use_says_how_many_are_left(api: Api) -> None:
    user, _ = enrolled(api)
    mobile = new_number()
    add_phone(user, mobile)
    created = create(user)
    method_id, codes = created["methodId"], created["codes"]
    for code in codes[:6]:
        assert use(user, method_id, code).status == 200
    assert status(user)["remaining"] == 4 and status(user)["low"] is False
    assert mfa_status(api, user.user_id)["recoveryCodesLow"] is False
    assert use(user, method_id, codes[6]).status == 200
    assert status(user)["low"] is True and user.info()["recoveryCodes"]["low"] is True
    assert mfa_status(api, user.user_id)["recoveryCodesLow"] is True
    assert use(user, method_id, codes[7]).status == 200
    notices = [m["body"] for m in wait_for(api, mobile, 8 + 2) if "recovery code was used" in m["body"]]
    assert len(notices) == 8, notices
    assert {f"{n} left" for n in range(2, 10)} == {re.search(r"\d+ left", n).group(0) for n in notices}  # type: ignore[union-attr]
    assert sum("running low" in n for n in notices) == 1
    assert [e["becameLow"] for e in used_events(api, user)].count(True) == 1


def test_never_for_password_reset_never_the_default_never_enough_to_register(api: Api) -> None:
    user, secret = enrolled(api)
    created = create(user)
    method_id = created["methodId"]
    refused = user.call("POST", "/me/verifications", {"purpose": "sspr", "methodId": method_id})
    assert refused.status == 400 and refused.error["code"] == "method_not_allowed_for_purpose"
    chosen = user.call("PUT", "/me/default-method", {"methodId": method_id})
    assert chosen.error["code"] == "method_not_allowed_for_purpose"
    preferred = user.call("PUT", "/me/default-method", {"systemPreferred": True})
    assert preferred.status == 200 and preferred.body["defaultMethodId"] != method_id
    # One authenticator app and the set: still short of the two methods the policy requires.
    assert user.info()["registration"]["required"] is True
    [totp] = [m for m in user.info()["methods"] if m["type"] == "softwareOath"]
    assert user.call("DELETE", f"/me/methods/{totp['id']}").status == 204
    info = user.info()
    assert info["defaultMethodId"] is None and info["recoveryCodes"]["remaining"] == 10
    assert mfa_status(api, user.user_id)["defaultMethod"] is None
    # The set alone does not end the first-method bootstrap: a new method registers without step-up.
    user.step_up_token = None
    again = user.call("POST", "/me/methods", {"type": "softwareOath", "displayName": "New phone"})
    assert again.status == 201, again.body


def test_wrong_codes_count_toward_lockout(api: Api) -> None:
    user, _ = enrolled(api)
    created = create(user)
    with policy_changed(api, {"lockout": {"threshold": 3, "minutes": 15}}):
        answers = [use(user, created["methodId"], "ZZZZZ-ZZZZZ").status for _ in range(2)]
        assert answers == [400, 400]
        assert use(user, created["methodId"], "not a code").status == 423
        locked = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": created["methodId"]})
        assert locked.status == 423
    admin(api).call("POST", f"/admin/users/{user.user_id}/unlock")


def test_the_user_and_an_administrator_can_delete_the_set_and_a_clear_deletes_it(api: Api) -> None:
    user, secret = enrolled(api)
    created = create(user)
    assert user.call("DELETE", "/me/recovery-codes").status == 204
    assert status(user) == {"remaining": 0, "total": 0, "low": False, "enabled": True}
    gone = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": created["methodId"]})
    assert gone.status == 404
    create(user)
    boss = admin(api)
    assert boss.call("DELETE", f"/admin/users/{user.user_id}/recovery-codes").status == 204
    assert status(user)["total"] == 0
    assert user.call("DELETE", f"/admin/users/{user.user_id}/recovery-codes").status == 403
    create(user)
    assert boss.call("DELETE", f"/admin/users/{user.user_id}/security-info").status == 204
    assert status(user)["total"] == 0
    deleted = [
        e["detail"]
        for e in api.events()
        if e["detail-type"] == "RecoveryCodesDeleted" and e["detail"]["userId"] == user.user_id
    ]
    assert [d["actor"] for d in deleted] == ["self", f"admin:{boss.user_id}", f"admin:{boss.user_id}"]


def test_concurrent_creates_leave_one_working_set_and_every_other_code_dead(api: Api) -> None:
    user, _ = enrolled(api)
    old = create(user)
    barrier = threading.Barrier(6)

    def again(_: int) -> Answer:
        barrier.wait()
        return user.call("POST", "/me/recovery-codes")

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(again, range(6)))
    assert {a.status for a in answers} <= {201, 409}, [a.body for a in answers]
    assert all(a.error["code"] == "recovery_codes_changed" for a in answers if a.status == 409)
    shown = [a.body for a in answers if a.status == 201]
    assert shown
    # Whatever order they landed in, exactly one set works, all ten of its codes, and it is one
    # that was shown; every code of every other set (the old one too) is refused.
    # (At most 6 wrong codes in a row: under the default lockout threshold of 10.)
    method_id = old["methodId"]
    working = [s for s in shown if use(user, method_id, s["codes"][0]).status == 200]
    assert len(working) == 1, shown
    for dead in [old, *(s for s in shown if s is not working[0])]:
        assert use(user, method_id, dead["codes"][1]).error["code"] == "invalid_code"
    assert status(user)["remaining"] == 9
    # Each answered set replaced the one before it: as many "replaced" events as sets shown.
    generated = [
        e["detail"]
        for e in api.events()
        if e["detail-type"] == "RecoveryCodesGenerated" and e["detail"]["userId"] == user.user_id
    ]
    replaced = sorted(g["replaced"] for g in {g["eventId"]: g for g in generated}.values())
    assert replaced == [False] + [True] * len(shown)


def test_a_create_racing_an_administrators_clear_leaves_no_set_behind(api: Api) -> None:
    # Either order is fine: a set made first is cleared with the rest; a create that comes after the
    # clear (or read the profile before it) is refused. Never a set without any other method.
    boss = admin(api)
    for _ in range(4):
        user, _ = enrolled(api)
        barrier = threading.Barrier(2)

        def make(user: User = user, barrier: threading.Barrier = barrier) -> Answer:
            barrier.wait()
            return user.call("POST", "/me/recovery-codes")

        def clear(user: User = user, barrier: threading.Barrier = barrier) -> Answer:
            barrier.wait()
            return boss.call("DELETE", f"/admin/users/{user.user_id}/security-info")

        with ThreadPoolExecutor(max_workers=2) as pool:
            made, cleared = [f.result() for f in [pool.submit(make), pool.submit(clear)]]
        assert cleared.status == 204, cleared.body
        assert made.status in (201, 400, 403), made.body
        if made.status != 201:
            assert made.error["code"] in ("no_method_registered", "step_up_required"), made.body
        assert user.info()["methods"] == [], user.info()
        assert status(user)["total"] == 0
