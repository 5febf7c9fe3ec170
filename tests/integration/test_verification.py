"""Verifying with an authenticator app: replay, concurrency, expiry, lockout, purposes."""

import threading

from securityinfo.methods import totp
from tests.support_api import Api, User


def _user_with_app(api: Api) -> tuple[User, dict, str]:
    user = api.user()
    method, secret = user.add_totp()
    return user, method, secret


def test_sign_in_with_the_default_app(api: Api) -> None:
    user, method, secret = _user_with_app(api)
    started = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert started.status == 201
    assert started.body["methodId"] == method["id"]
    assert started.body["type"] == "softwareOath"
    assert started.body["challenge"] == {}
    vid = started.body["verificationId"]
    assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "pending"
    done = user.call("POST", f"/me/verifications/{vid}", {"code": user.code(secret)})
    assert done.status == 200
    assert done.body["status"] == "approved"
    assert "stepUpToken" not in done.body
    assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "approved"
    assert user.info()["methods"][0]["lastUsedAt"] is not None


def test_a_code_is_accepted_once_even_on_a_new_verification(api: Api) -> None:
    user, _, secret = _user_with_app(api)
    code = user.code(secret)
    first = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body
    assert user.call("POST", f"/me/verifications/{first['verificationId']}", {"code": code}).status == 200
    second = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body
    replay = user.call("POST", f"/me/verifications/{second['verificationId']}", {"code": code})
    assert replay.status == 400
    assert replay.error["code"] == "invalid_code"
    assert "already used" in replay.error["message"]
    again = user.call("POST", f"/me/verifications/{first['verificationId']}", {"code": user.code(secret)})
    assert again.status == 410


def test_two_concurrent_requests_with_one_code_exactly_one_wins(api: Api) -> None:
    for _ in range(3):
        user, _, secret = _user_with_app(api)
        ids = [
            user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
            for _ in range(2)
        ]
        code = user.code(secret)
        statuses: list[int] = []
        barrier = threading.Barrier(2)

        def answer(
            vid: str,
            user: User = user,
            code: str = code,
            barrier: threading.Barrier = barrier,
            statuses: list[int] = statuses,
        ) -> None:
            barrier.wait()
            statuses.append(user.call("POST", f"/me/verifications/{vid}", {"code": code}).status)

        threads = [threading.Thread(target=answer, args=(vid,)) for vid in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(statuses) == [200, 400]


def test_a_verification_expires_after_five_minutes(api: Api) -> None:
    user, _, secret = _user_with_app(api)
    vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
    api.advance(301)
    assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "expired"
    late = user.call("POST", f"/me/verifications/{vid}", {"code": user.code(secret)})
    assert late.status == 410 and late.error["code"] == "verification_expired"


def test_codes_outside_one_step_of_drift_are_refused(api: Api) -> None:
    user, _, secret = _user_with_app(api)
    vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
    far = totp.code_for_step(secret, totp.step_at(api.now()) + 3)
    answer = user.call("POST", f"/me/verifications/{vid}", {"code": far})
    assert answer.status == 400 and answer.error["attemptsLeft"] == 4


def test_ten_failures_lock_verification_for_fifteen_minutes_and_it_ends(api: Api) -> None:
    user, _, secret = _user_with_app(api)
    wrong = _wrong(api, secret)
    statuses = []
    for _ in range(10):
        vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        statuses.append(user.call("POST", f"/me/verifications/{vid}", {"code": wrong}).status)
    assert statuses[:9] == [400] * 9
    assert statuses[9] == 423
    locked = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert locked.status == 423
    assert locked.error["code"] == "locked_out"
    assert 0 < locked.error["retryAfter"] <= 900
    assert locked.headers.get("Retry-After") == str(locked.error["retryAfter"])
    api.advance(14 * 60)
    assert user.call("POST", "/me/verifications", {"purpose": "mfa"}).status == 423
    api.advance(61)
    assert user.verify("mfa", secret).status == 200
    events = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    assert [e["detail-type"] for e in events].count("UserLockedOut") == 1


def test_a_success_resets_the_failure_count(api: Api) -> None:
    user, _, secret = _user_with_app(api)
    wrong = _wrong(api, secret)
    for _ in range(9):
        vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        assert user.call("POST", f"/me/verifications/{vid}", {"code": wrong}).status == 400
    assert user.verify("mfa", secret).status == 200
    for _ in range(9):
        vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        assert user.call("POST", f"/me/verifications/{vid}", {"code": wrong}).status == 400


def test_failures_on_registration_count_toward_the_same_lockout(api: Api) -> None:
    user, _, secret = _user_with_app(api)
    user.step_up(secret)
    wrong = _wrong(api, secret)
    for _ in range(2):
        reg = user.call("POST", "/me/methods", {"type": "softwareOath"}).body
        for _ in range(4):
            assert (
                user.call(
                    "POST", f"/me/methods/registrations/{reg['registrationId']}", {"code": wrong}
                ).status
                == 400
            )
    vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
    assert user.call("POST", f"/me/verifications/{vid}", {"code": wrong}).status == 400
    vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
    assert user.call("POST", f"/me/verifications/{vid}", {"code": wrong}).status == 423


def test_no_method_yet_means_a_clear_400(api: Api) -> None:
    user = api.user()
    answer = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert answer.status == 400 and answer.error["code"] == "no_method_registered"


def _wrong(api: Api, secret: str) -> str:
    step = totp.step_at(api.now())
    valid = {totp.code_for_step(secret, step + d) for d in range(-40, 40)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444") if c not in valid)
