"""The sign-in service's passwordless check (POST /signin/passkey/options and /verify), answered by
the software authenticator with a resident key: usernameless options, the user and method proved,
single-use challenges valid 5 minutes, and every check (signature, origin, RP id, user handle,
counter, user verification) refusing with 400; a failure counts toward the user's lockout; a locked
user gets 423; only the sign-in service may call it."""

from __future__ import annotations

from typing import Any

from tests.support_admin import policy_changed, service_token
from tests.support_api import Answer, Api, User
from tests.support_webauthn import GOOGLE_PASSWORD_MANAGER, SoftKey, b64url


def with_passkey(api: Api, **key_args: Any) -> tuple[User, SoftKey, dict[str, Any]]:
    user = api.user()
    key = SoftKey(aaguid=GOOGLE_PASSWORD_MANAGER, backup_eligible=True, **key_args)
    begun = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Phone", "passkey": True})
    assert begun.status == 201, begun.body
    done = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": key.create(begun.body["publicKey"])},
    )
    assert done.status == 201, done.body
    return user, key, dict(done.body["method"])


def options(api: Api, token: str | None = None) -> dict[str, Any]:
    answer = api.call("POST", "/signin/passkey/options", {}, token=token or service_token(api))
    assert answer.status == 200, answer.body
    return dict(answer.body)


def verify(api: Api, challenge_id: str, credential: dict[str, Any], token: str | None = None) -> Answer:
    return api.call(
        "POST",
        "/signin/passkey/verify",
        {"challengeId": challenge_id, "credential": credential},
        token=token or service_token(api),
    )


def test_a_passkey_signs_in_without_a_username(api: Api) -> None:
    user, key, method = with_passkey(api)
    started = options(api)
    request = started["publicKey"]
    assert request["allowCredentials"] == [] and request["rpId"] == "localhost"
    assert request["userVerification"] == "required" and request["timeout"] == 300_000
    answer = verify(api, started["challengeId"], key.get(request))
    assert answer.status == 200, answer.body
    assert answer.body == {"userId": user.user_id, "methodId": method["id"], "userVerified": True}
    # The sign-in shows as the key's last use and in Recent activity.
    [listed] = user.info()["methods"]
    assert listed["lastUsedAt"] is not None
    activity = user.call("GET", "/me/activity").body["activity"]
    assert any("to sign in without a password" in a["summary"] for a in activity), activity


def test_a_challenge_is_used_once_and_lives_5_minutes(api: Api) -> None:
    _, key, _ = with_passkey(api)
    started = options(api)
    assertion = key.get(started["publicKey"])
    assert verify(api, started["challengeId"], assertion).status == 200
    replay = verify(api, started["challengeId"], assertion)
    assert replay.status == 410 and replay.error["code"] == "challenge_expired", replay.body
    # A fresh assertion for a used challenge: still used.
    assert verify(api, started["challengeId"], key.get(started["publicKey"])).status == 410

    late = options(api)
    api.advance(301)
    expired = verify(api, late["challengeId"], key.get(late["publicKey"]))
    assert expired.status == 410 and expired.error["code"] == "challenge_expired", expired.body
    unknown = verify(api, "c" + "a" * 20, key.get(late["publicKey"]))
    assert unknown.status == 410


def test_a_wrong_origin_rp_id_or_counter_is_an_invalid_credential(api: Api) -> None:
    user, key, _ = with_passkey(api)
    started = options(api)
    phished = verify(
        api, started["challengeId"], key.get(started["publicKey"], origin="https://evil.example")
    )
    assert phished.status == 400 and phished.error["code"] == "invalid_credential", phished.body

    other_rp = SoftKey(
        credential_id=key.credential_id, key=key.key, user_handle=key.user_handle, rp_id="evil.example",
        counter=key.counter + 5,
    )  # fmt: skip
    started = options(api)
    assert verify(api, started["challengeId"], other_rp.get(started["publicKey"])).status == 400

    # Sign in once (the counter moves to what the key says), then a clone with an older counter.
    started = options(api)
    key.counter += 10
    assert verify(api, started["challengeId"], key.get(started["publicKey"])).status == 200
    clone = SoftKey(credential_id=key.credential_id, key=key.key, user_handle=key.user_handle, counter=2)
    started = options(api)
    cloned = verify(api, started["challengeId"], clone.get(started["publicKey"]))
    assert cloned.status == 400 and cloned.error["code"] == "invalid_credential"
    failed = [
        e
        for e in api.events()
        if e["detail"].get("userId") == user.user_id and e["detail-type"] == "VerificationFailed"
    ]
    assert len(failed) == 3 and {e["detail"]["purpose"] for e in failed} == {"passwordless"}


def test_the_user_handle_and_user_verification_are_checked(api: Api) -> None:
    _, key, _ = with_passkey(api)
    started = options(api)
    key.send_user_handle = False
    assert verify(api, started["challengeId"], key.get(started["publicKey"])).status == 400
    key.send_user_handle = True
    someone_else = key.user_handle
    key.user_handle = b64url(b"x" * 32)
    started = options(api)
    assert verify(api, started["challengeId"], key.get(started["publicKey"])).status == 400
    key.user_handle = someone_else

    key.user_verified = False
    started = options(api)
    no_pin = verify(api, started["challengeId"], key.get(started["publicKey"]))
    assert no_pin.status == 400 and no_pin.error["code"] == "invalid_credential"
    with policy_changed(api, {"securityKey": {"userVerification": "preferred"}}):
        started = options(api)
        assert started["publicKey"]["userVerification"] == "preferred"
        answer = verify(api, started["challengeId"], key.get(started["publicKey"]))
    assert answer.status == 200, answer.body
    assert answer.body["userVerified"] is False


def test_an_unknown_credential_is_refused_without_naming_anyone(api: Api) -> None:
    started = options(api)
    stranger = SoftKey(user_handle=b64url(b"h" * 32))
    answer = verify(api, started["challengeId"], stranger.get(started["publicKey"]))
    assert answer.status == 400 and answer.error["code"] == "invalid_credential", answer.body


def test_failures_count_toward_lockout_and_a_locked_user_gets_423(api: Api) -> None:
    user, key, _ = with_passkey(api)
    with policy_changed(api, {"lockout": {"threshold": 3, "minutes": 15}}):
        statuses = []
        for _ in range(3):
            started = options(api)
            statuses.append(
                verify(
                    api, started["challengeId"], key.get(started["publicKey"], origin="https://evil.example")
                ).status
            )
        assert statuses == [400, 400, 423]
        started = options(api)
        locked = verify(api, started["challengeId"], key.get(started["publicKey"]))
        assert locked.status == 423 and locked.error["code"] == "locked_out", locked.body
        assert locked.error["retryAfter"] > 0
    assert any(
        e["detail-type"] == "UserLockedOut" for e in api.events() if e["detail"].get("userId") == user.user_id
    )


def test_a_success_ends_a_run_of_failures(api: Api) -> None:
    _, key, _ = with_passkey(api)
    with policy_changed(api, {"lockout": {"threshold": 3, "minutes": 15}}):
        for _ in range(2):
            started = options(api)
            bad = verify(
                api, started["challengeId"], key.get(started["publicKey"], origin="https://evil.example")
            )
            assert bad.status == 400
        started = options(api)
        assert verify(api, started["challengeId"], key.get(started["publicKey"])).status == 200
        started = options(api)
        again = verify(
            api, started["challengeId"], key.get(started["publicKey"], origin="https://evil.example")
        )
        assert again.status == 400  # the count started again: not locked at the third failure


def test_only_the_sign_in_service_may_call_it(api: Api) -> None:
    user, key, _ = with_passkey(api)
    as_user = api.call("POST", "/signin/passkey/options", {}, token=user.token)
    assert as_user.status in (401, 403), as_user.body
    started = options(api)
    answer = verify(api, started["challengeId"], key.get(started["publicKey"]), token=user.token)
    assert answer.status in (401, 403)
    assert (
        api.call("POST", "/signin/passkey/options", {"userId": user.user_id}, token=service_token(api)).status
        == 400
    )
    bad = api.call("POST", "/signin/passkey/verify", {"challengeId": "x"}, token=service_token(api))
    assert bad.status == 400 and bad.error["field"] == "credential"
