"""The authenticator app: activation, the test notification, push sign-in with number matching, and
the device protocol as an attacker meets it (forged, stale and replayed signatures, another device's
request, a wrong number, expiry on the service clock, two answers at once)."""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from tests.support_admin import policy_changed
from tests.support_api import Answer, Api, User
from tests.support_device import Device, b64url, code_from_qr
from tests.support_events import validate_event


def add_app(
    api: Api, user: User, name: str = "Phone", device: Device | None = None
) -> tuple[dict[str, Any], Device]:
    """Register the authenticator app as a person does: activation code, test notification, number."""
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp", "displayName": name})
    assert begun.status == 201, begun.body
    registration = f"/me/methods/registrations/{begun.body['registrationId']}"
    device = device or Device(api)
    assert device.activate(begun.body["activationCode"]).status == 201
    waiting = user.call("POST", registration, {})
    assert waiting.status == 202, waiting.body
    test = device.wait_for_request()
    assert device.approve(test["verificationId"], waiting.body["numberToMatch"]).status == 204
    done = user.call("POST", registration, {})
    assert done.status == 201, done.body
    return done.body["method"], device


def start(user: User, purpose: str = "mfa", method_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"purpose": purpose}
    if method_id:
        body["methodId"] = method_id
    started = user.call("POST", "/me/verifications", body)
    assert started.status == 201, started.body
    return dict(started.body)


def push_step_up(user: User, device: Device) -> str:
    started = start(user, "stepUp")
    vid = started["verificationId"]
    assert device.approve(vid, started["challenge"]["numberToMatch"]).status == 204
    done = user.call("POST", f"/me/verifications/{vid}", {})
    assert done.status == 200, done.body
    user.step_up_token = done.body["stepUpToken"]
    return str(user.step_up_token)


def wrong(number: str) -> str:
    return "10" if number != "10" else "11"


def mine(api: Api, user: User) -> list[dict[str, Any]]:
    return [e for e in api.events() if e["detail"].get("userId") == user.user_id]


# --- registration ------------------------------------------------------------------------------


def test_register_by_activation_code_and_test_notification(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp", "displayName": "Work phone"})
    assert begun.status == 201, begun.body
    assert set(begun.body) >= {"registrationId", "activationCode", "activationUrl", "qrSvg", "expiresAt"}
    assert "secret" not in begun.body and "otpauthUri" not in begun.body
    assert begun.body["activationUrl"].endswith("/devices/activate")
    assert begun.body["qrSvg"].lstrip().startswith("<svg")
    registration = f"/me/methods/registrations/{begun.body['registrationId']}"

    # Before the app is set up, the page waits for the activation.
    before = user.call("POST", registration, {})
    assert before.status == 202
    assert before.body["status"] == "pending" and before.body["waitingFor"] == "activation"

    device = Device(api, name="Pixel 9")
    # The QR's content carries the same code the page shows under "Can't scan".
    assert code_from_qr(begun.body["qrContent"]) == begun.body["activationCode"].replace("-", "")
    activated = device.activate(code_from_qr(begun.body["qrContent"]))
    assert activated.status == 201, activated.body
    assert set(activated.body["totp"]) == {"secret", "period", "digits", "algorithm"}
    assert activated.body["totp"]["period"] == 30 and activated.body["totp"]["digits"] == 6
    assert activated.body["accountName"] == user.username

    # The test notification: the page shows the number, the push wakes the app (without the number).
    waiting = user.call("POST", registration, {})
    assert waiting.status == 202, waiting.body
    number = waiting.body["numberToMatch"]
    assert waiting.body["waitingFor"] == "approval" and 10 <= int(number) <= 99
    pushes = api.call("GET", "/local/outbox", None).body["messages"]
    push = next(m for m in pushes if m["to"] == device.push_token)
    assert push["channel"] == "push"
    request = device.wait_for_request()
    assert request["verificationId"] in push["body"]
    # The phone must not be told the number: the user types what the sign-in screen shows.
    assert "numberToMatch" not in request and number not in {str(v) for v in request.values()}
    assert device.approve(request["verificationId"], number).status == 204

    done = user.call("POST", registration, {})
    assert done.status == 201, done.body
    method = done.body["method"]
    assert method["type"] == "authenticatorApp" and method["deviceName"] == "Pixel 9"
    assert method["isDefault"] is True and method["usableFor"] == ["mfa", "sspr"]
    assert [m["id"] for m in user.info()["methods"]] == [method["id"]]
    # The registration is finished: nothing more to collect.
    assert user.call("POST", registration, {}).status == 404

    events = mine(api, user)
    for event in events:
        validate_event(event["detail-type"], event["detail"])
    assert "MethodRegistered" in {e["detail-type"] for e in events}
    assert activated.body["totp"]["secret"] not in json.dumps(events)


def test_an_activation_code_works_once(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp"})
    assert Device(api).activate(begun.body["activationCode"]).status == 201
    again = Device(api).activate(begun.body["activationCode"])
    assert again.status == 404
    assert again.error["code"] == "activation_code_invalid"
    assert Device(api).activate("ABCD-EFGH-JKMN-PQRS").status == 404


def test_an_activation_code_expires_with_its_registration(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp"})
    api.advance(601)
    late = Device(api).activate(begun.body["activationCode"])
    assert late.status == 410
    assert late.error["code"] == "activation_code_expired"


def test_activation_refuses_a_key_that_is_not_p256(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp"})
    device = Device(api)
    jwk = device.public_jwk() | {"y": b64url(b"\x01" * 32)}  # not a point on the curve
    answer = api.call(
        "POST",
        "/devices/activate",
        {"activationCode": begun.body["activationCode"], "publicKeyJwk": jwk, "deviceName": "x"},
    )
    assert answer.status == 400 and answer.error["field"] == "publicKeyJwk"
    # The code was not used up by the refused attempt.
    assert device.activate(begun.body["activationCode"]).status == 201


def test_a_wrong_number_on_the_test_notification_sends_a_new_one(api: Api) -> None:
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp"})
    registration = f"/me/methods/registrations/{begun.body['registrationId']}"
    device = Device(api)
    device.activate(begun.body["activationCode"])
    first = user.call("POST", registration, {}).body
    test = device.wait_for_request()
    mismatch = device.approve(test["verificationId"], wrong(first["numberToMatch"]))
    assert mismatch.status == 400 and mismatch.error["code"] == "number_mismatch"
    # The phone is told what happens next: a new notification, not "sign in again".
    said = mismatch.error["message"]
    assert "new notification" in said and "Sign in again" not in said
    retry = user.call("POST", registration, {})
    assert retry.status == 202 and retry.body["previous"] == "numberMismatch"
    fresh = device.wait_for_request()
    assert fresh["verificationId"] != test["verificationId"]
    assert device.approve(fresh["verificationId"], retry.body["numberToMatch"]).status == 204
    assert user.call("POST", registration, {}).status == 201


# --- sign-in with push -------------------------------------------------------------------------


def test_sign_in_with_push_and_number_matching(api: Api) -> None:
    user = api.user()
    method, device = add_app(api, user)
    started = start(user)
    assert started["type"] == "authenticatorApp" and started["methodId"] == method["id"]
    number = started["challenge"]["numberToMatch"]
    assert isinstance(number, str) and 10 <= int(number) <= 99
    vid = started["verificationId"]
    path = f"/me/verifications/{vid}"

    assert user.call("GET", path).body["status"] == "pending"
    waiting = user.call("POST", path, {})
    assert waiting.status == 202 and waiting.body["status"] == "pending"

    request = device.wait_for_request(vid)
    assert request["purpose"] == "mfa" and "numberToMatch" not in request
    assert device.approve(vid, number).status == 204
    assert user.call("GET", path).body["status"] == "approved"
    # The device does not see an answered request again.
    assert all(r["verificationId"] != vid for r in device.requests())

    done = user.call("POST", path, {})
    assert done.status == 200, done.body
    assert done.body["status"] == "approved" and "stepUpToken" not in done.body
    assert user.call("POST", path, {}).status == 410
    assert user.info()["methods"][0]["lastUsedAt"] is not None
    succeeded = [e for e in mine(api, user) if e["detail-type"] == "VerificationSucceeded"]
    assert succeeded and succeeded[-1]["detail"]["methodType"] == "authenticatorApp"


def test_a_code_from_the_same_app_also_completes_it(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    vid = start(user)["verificationId"]
    done = user.call("POST", f"/me/verifications/{vid}", {"code": device.code()})
    assert done.status == 200, done.body
    # The push request is no longer waiting on the phone.
    assert all(r["verificationId"] != vid for r in device.requests())


def test_the_step_up_token_is_minted_once_for_one_approval(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    started = start(user, "stepUp")
    vid = started["verificationId"]
    assert device.approve(vid, started["challenge"]["numberToMatch"]).status == 204
    answers: list[Answer] = []
    barrier = threading.Barrier(3)

    def collect() -> None:
        barrier.wait()
        answers.append(user.call("POST", f"/me/verifications/{vid}", {}))

    threads = [threading.Thread(target=collect) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(a.status for a in answers) == [200, 410, 410]
    winner = next(a for a in answers if a.status == 200)
    assert winner.body["stepUpToken"]


def test_deny_and_fraud(api: Api) -> None:
    user = api.user()
    method, device = add_app(api, user)
    denied = start(user)["verificationId"]
    assert device.decide(denied, "deny").status == 204
    assert user.call("GET", f"/me/verifications/{denied}").body["status"] == "denied"
    collect = user.call("POST", f"/me/verifications/{denied}", {})
    assert collect.status == 410 and collect.error["code"] == "verification_denied"

    fraud = start(user)["verificationId"]
    assert device.decide(fraud, "fraud").status == 204
    assert user.call("GET", f"/me/verifications/{fraud}").body["status"] == "denied"
    reported = [e for e in mine(api, user) if e["detail-type"] == "FraudReported"]
    assert len(reported) == 1
    validate_event("FraudReported", reported[0]["detail"])
    assert reported[0]["detail"]["verificationId"] == fraud
    assert reported[0]["detail"]["methodId"] == method["id"]
    # An answered request cannot be answered again.
    again = device.decide(fraud, "approve", "42")
    assert again.status == 409


def test_a_wrong_number_denies_the_request_and_counts_toward_lockout(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    statuses = []
    # Ten pushes in a row: past the default push-fatigue limit of 5 per 10 minutes.
    with policy_changed(api, {"push": {"maxRequestsPer10Minutes": 10}}):
        for _ in range(10):
            started = start(user)
            vid = started["verificationId"]
            answer = device.approve(vid, wrong(started["challenge"]["numberToMatch"]))
            statuses.append(answer.status)
            assert answer.error["code"] == "number_mismatch"
            assert "Start the sign-in again" in answer.error["message"]
            assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "denied"
    assert statuses == [400] * 10
    locked = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert locked.status == 423
    events = mine(api, user)
    failed = [e for e in events if e["detail-type"] == "VerificationFailed"]
    assert len(failed) == 10 and {e["detail"]["reason"] for e in failed} == {"number_mismatch"}
    for event in events:
        validate_event(event["detail-type"], event["detail"])
    assert any(e["detail-type"] == "UserLockedOut" for e in events)


def test_a_push_expires_after_60_seconds_on_the_service_clock(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    started = start(user)
    vid = started["verificationId"]
    api.advance(61)
    assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "expired"
    assert all(r["verificationId"] != vid for r in device.requests())
    late = device.approve(vid, started["challenge"]["numberToMatch"])
    assert late.status == 410
    assert user.call("POST", f"/me/verifications/{vid}", {}).status == 410


def test_concurrent_answers_to_one_request_exactly_one_wins(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    for _ in range(3):
        started = start(user)
        vid = started["verificationId"]
        number = started["challenge"]["numberToMatch"]
        statuses: list[int] = []
        barrier = threading.Barrier(3)

        def answer(decision: str, vid: str = vid, number: str = number, barrier: threading.Barrier = barrier,
                   statuses: list[int] = statuses) -> None:  # fmt: skip
            barrier.wait()
            statuses.append(device.decide(vid, decision, number if decision == "approve" else None).status)

        threads = [threading.Thread(target=answer, args=(d,)) for d in ("approve", "approve", "deny")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(statuses) == [204, 409, 409], statuses
        final = user.call("GET", f"/me/verifications/{vid}").body["status"]
        assert final in ("approved", "denied")


# --- the device protocol -------------------------------------------------------------------------


def test_unsigned_and_forged_requests_are_refused(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    path = f"/devices/{device.device_id}/pending"
    assert api.call("GET", path).status == 401
    # Signed by another key (an attacker who knows the device id).
    forged = device.signed("GET", path, key=ec.generate_private_key(ec.SECP256R1()))[0]
    assert forged.status == 401 and forged.error["code"] == "device_unauthorized"
    # A valid signature over a different body.
    started = start(user)
    vid = started["verificationId"]
    approve_path = f"/devices/{device.device_id}/approvals/{vid}"
    body = json.dumps({"decision": "deny"}).encode()
    headers = device.signed_headers("POST", approve_path, body)
    tampered = json.dumps({"decision": "approve", "numberEntered": started["challenge"]["numberToMatch"]})
    assert api.call("POST", approve_path, raw=tampered.encode(), headers=headers).status == 401
    # A signature for another path.
    headers = device.signed_headers("GET", f"/devices/{device.device_id}/pendingx")
    assert api.call("GET", path, headers=headers).status == 401
    # An unknown device id answers as a bad signature does.
    other = Device(api)
    other.device_id = "d" + "a" * 16
    unknown = other.signed("GET", f"/devices/{other.device_id}/pending")[0]
    assert unknown.status == 401 and unknown.error == forged.error
    assert user.call("GET", f"/me/verifications/{vid}").body["status"] == "pending"


def test_a_stale_or_future_timestamp_is_refused(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    now = int(api.now())
    path = f"/devices/{device.device_id}/pending"
    for stamp in (now - 301, now + 301):
        answer = device.signed("GET", path, timestamp=stamp)[0]
        assert answer.status == 401 and answer.error["code"] == "device_clock_skew"
        # The answer tells the app the service's time, so it can correct its clock and sign again.
        assert abs(answer.error["serverTime"] - api.now()) < 60
    assert device.signed("GET", path, timestamp=now - 200)[0].status == 200
    # The window is on the service clock: once it moves on, the phone's old time is stale.
    api.advance(400)
    assert device.signed("GET", path, timestamp=now)[0].status == 401
    assert device.pending().status == 200


def test_a_replayed_request_is_refused(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user)
    path = f"/devices/{device.device_id}/pending"
    first, headers, _ = device.signed("GET", path)
    assert first.status == 200
    replay = api.call("GET", path, headers=headers)
    assert replay.status == 401 and replay.error["code"] == "device_replay"
    # A replayed approval, too: the nonce was seen, whatever the request's state.
    started = start(user)
    vid = started["verificationId"]
    approved, headers, raw = device.signed(
        "POST", f"/devices/{device.device_id}/approvals/{vid}",
        {"decision": "approve", "numberEntered": started["challenge"]["numberToMatch"]},
    )  # fmt: skip
    assert approved.status == 204
    again = api.call("POST", f"/devices/{device.device_id}/approvals/{vid}", raw=raw, headers=headers)
    assert again.status == 401
    # A nonce shorter than 16 bytes is refused.
    short = device.signed("GET", path, nonce=b64url(secrets.token_bytes(8)))[0]
    assert short.status == 401


def test_another_devices_request_is_not_found(api: Api) -> None:
    alice, bob = api.user(), api.user()
    _, alice_phone = add_app(api, alice)
    _, bob_phone = add_app(api, bob)
    started = start(alice)
    vid = started["verificationId"]
    stolen = bob_phone.approve(vid, started["challenge"]["numberToMatch"])
    assert stolen.status == 404
    assert all(r["verificationId"] != vid for r in bob_phone.requests())
    # Bob's device signing for Alice's device id is a bad signature.
    headers = bob_phone.signed_headers("GET", f"/devices/{alice_phone.device_id}/pending")
    assert api.call("GET", f"/devices/{alice_phone.device_id}/pending", headers=headers).status == 401
    assert alice.call("GET", f"/me/verifications/{vid}").body["status"] == "pending"
    assert alice_phone.approve(vid, started["challenge"]["numberToMatch"]).status == 204


def test_removing_the_app_removes_the_device(api: Api) -> None:
    user = api.user()
    method, device = add_app(api, user)
    push_step_up(user, device)
    assert user.call("DELETE", f"/me/methods/{method['id']}").status == 204
    assert device.pending().status == 401


def test_authenticator_apps_count_with_totp_apps_toward_five(api: Api) -> None:
    user = api.user()
    _, device = add_app(api, user, "App 1")
    push_step_up(user, device)
    for n in range(4):
        user.add_totp(f"TOTP {n}")
    refused = user.call("POST", "/me/methods", {"type": "authenticatorApp"})
    assert refused.status == 409 and refused.error["code"] == "method_limit"
