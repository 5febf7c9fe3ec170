"""Security keys over the API, answered by a software key (tests/support_webauthn.py): options in
the Level 3 JSON form, the random user handle, excludeCredentials, a credential id registered
anywhere refused, the signature counter, single-use challenges and replayed assertions."""

from __future__ import annotations

from typing import Any

from tests.support_api import Api, User
from tests.support_events import validate_event
from tests.support_webauthn import SoftKey, b64url, unb64url


def add_key(user: User, key: SoftKey, name: str = "YubiKey") -> dict[str, Any]:
    begun = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": name})
    assert begun.status == 201, begun.body
    done = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": key.create(begun.body["publicKey"])},
    )
    assert done.status == 201, done.body
    return dict(done.body["method"])


def start(user: User, purpose: str = "mfa") -> dict[str, Any]:
    started = user.call("POST", "/me/verifications", {"purpose": purpose})
    assert started.status == 201, started.body
    return dict(started.body)


def test_registration_options_are_level_3_json_with_a_random_user_handle(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "YubiKey"})
    assert begun.status == 201, begun.body
    options = begun.body["publicKey"]
    assert options["rp"]["id"] == "localhost"
    assert len(unb64url(options["challenge"])) >= 16
    handle = unb64url(options["user"]["id"])
    assert len(handle) >= 16
    assert user.user_id.encode() not in handle and user.username.encode() not in handle
    assert options["excludeCredentials"] == []
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["timeout"] == 300_000

    key = SoftKey()
    done = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": key.create(options)},
    )
    assert done.status == 201, done.body
    method = done.body["method"]
    assert method["type"] == "securityKey" and method["displayName"] == "YubiKey"
    assert method["aaguid"] == "00000000-0000-0000-0000-000000000000"
    assert method["isDefault"] is True

    # The next registration excludes the key, and keeps the same user handle.
    again = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Second"})
    if again.status == 403:  # step-up needed now that the user has a method
        started = start(user, "stepUp")
        answer = user.call(
            "POST",
            f"/me/verifications/{started['verificationId']}",
            {"credential": key.get(started["challenge"]["publicKey"])},
        )
        user.step_up_token = answer.body["stepUpToken"]
        again = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Second"})
    assert again.status == 201, again.body
    assert [c["id"] for c in again.body["publicKey"]["excludeCredentials"]] == [b64url(key.credential_id)]
    assert again.body["publicKey"]["user"]["id"] == options["user"]["id"]
    for event in [e for e in api.events() if e["detail"].get("userId") == user.user_id]:
        validate_event(event["detail-type"], event["detail"])


def test_sign_in_with_a_security_key_and_an_assertion_replay_is_refused(api: Api) -> None:
    user = api.user()
    key = SoftKey()
    method = add_key(user, key)
    started = start(user)
    assert started["type"] == "securityKey"
    request = started["challenge"]["publicKey"]
    assert request["rpId"] == "localhost" and len(unb64url(request["challenge"])) >= 16
    assert [c["id"] for c in request["allowCredentials"]] == [b64url(key.credential_id)]
    assertion = key.get(request)
    path = f"/me/verifications/{started['verificationId']}"
    done = user.call("POST", path, {"credential": assertion})
    assert done.status == 200, done.body
    assert done.body["methodId"] == method["id"]
    # The same assertion again: the challenge was used.
    assert user.call("POST", path, {"credential": assertion}).status == 410
    # ... and on a new verification it answers the wrong challenge.
    second = start(user)
    replay = user.call("POST", f"/me/verifications/{second['verificationId']}", {"credential": assertion})
    assert replay.status in (400, 410)
    # That attempt used the challenge: one answer per challenge.
    fresh = key.get(second["challenge"]["publicKey"])
    assert (
        user.call("POST", f"/me/verifications/{second['verificationId']}", {"credential": fresh}).status
        == 410
    )


def test_the_signature_counter_must_increase(api: Api) -> None:
    user = api.user()
    key = SoftKey(counter=5)
    add_key(user, key)
    first = start(user)
    ok = user.call(
        "POST",
        f"/me/verifications/{first['verificationId']}",
        {"credential": key.get(first["challenge"]["publicKey"])},
    )
    assert ok.status == 200, ok.body
    # A clone of the key answers with a counter that did not move on.
    clone = SoftKey(credential_id=key.credential_id, key=key.key, counter=3, user_handle=key.user_handle)
    second = start(user)
    cloned = user.call(
        "POST",
        f"/me/verifications/{second['verificationId']}",
        {"credential": clone.get(second["challenge"]["publicKey"])},
    )
    assert cloned.status in (400, 410)
    failed = [
        e
        for e in api.events()
        if e["detail"].get("userId") == user.user_id and e["detail-type"] == "VerificationFailed"
    ]
    assert failed


def test_a_wrong_origin_or_rp_is_refused(api: Api) -> None:
    user = api.user()
    key = SoftKey()
    begun = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Key"})
    phished = key.create(begun.body["publicKey"], origin="https://evil.example")
    answer = user.call(
        "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"credential": phished}
    )
    assert answer.status in (400, 410)
    assert user.info()["methods"] == []


def test_a_credential_registered_anywhere_is_refused(api: Api) -> None:
    alice, mallory = api.user(), api.user()
    key = SoftKey()
    add_key(alice, key)
    # Mallory's authenticator claims Alice's credential id (with its own key pair).
    squatter = SoftKey(credential_id=key.credential_id)
    begun = mallory.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Mine"})
    answer = mallory.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": squatter.create(begun.body["publicKey"])},
    )
    assert answer.status == 409 and answer.error["code"] == "credential_already_registered"
    assert mallory.info()["methods"] == []


def test_removing_a_key_frees_its_credential_id(api: Api) -> None:
    user = api.user()
    key = SoftKey()
    method = add_key(user, key)
    started = start(user, "stepUp")
    answer = user.call(
        "POST",
        f"/me/verifications/{started['verificationId']}",
        {"credential": key.get(started["challenge"]["publicKey"])},
    )
    user.step_up_token = answer.body["stepUpToken"]
    assert user.call("DELETE", f"/me/methods/{method['id']}").status == 204
    other = api.user()
    add_key(other, SoftKey(credential_id=key.credential_id))


def test_user_verification_is_required_by_default(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Key"})
    no_pin = SoftKey(user_verified=False)
    answer = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": no_pin.create(begun.body["publicKey"])},
    )
    assert answer.status in (400, 410)


def test_at_most_ten_security_keys(api: Api) -> None:
    user = api.user()
    keys = [SoftKey() for _ in range(10)]
    add_key(user, keys[0], "Key 0")
    started = start(user, "stepUp")
    answer = user.call(
        "POST",
        f"/me/verifications/{started['verificationId']}",
        {"credential": keys[0].get(started["challenge"]["publicKey"])},
    )
    user.step_up_token = answer.body["stepUpToken"]
    for n, key in enumerate(keys[1:], start=1):
        add_key(user, key, f"Key {n}")
    refused = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "Key 10"})
    assert refused.status == 409 and refused.error["code"] == "method_limit"
