"""Passkeys and the policy's authenticator rules over the API, answered by the software authenticator
(tests/support_webauthn.py): what each key records and shows (AAGUID, model, passkey, synced,
attested), every rule that refuses a key (400 authenticator_not_allowed naming it), the fresher
step-up a passkey needs, and the rules' validation in the policy."""

from __future__ import annotations

from typing import Any

import cbor2
import pytest

from tests.support_admin import admin, policy_changed
from tests.support_api import Answer, Api, User
from tests.support_webauthn import (
    GOOGLE_PASSWORD_MANAGER,
    YUBIKEY_5_NFC,
    ZERO_AAGUID,
    SoftKey,
    TestCa,
    b64url,
    unb64url,
)


def begin(user: User, *, passkey: bool | None = None, name: str = "Key") -> Answer:
    body: dict[str, Any] = {"type": "securityKey", "displayName": name}
    if passkey is not None:
        body["passkey"] = passkey
    return user.call("POST", "/me/methods", body)


def register(user: User, key: SoftKey, *, passkey: bool | None = None, name: str = "Key") -> Answer:
    begun = begin(user, passkey=passkey, name=name)
    assert begun.status == 201, begun.body
    return user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": key.create(begun.body["publicKey"])},
    )


def registered(user: User, key: SoftKey, *, passkey: bool | None = None) -> dict[str, Any]:
    done = register(user, key, passkey=passkey)
    assert done.status == 201, done.body
    return dict(done.body["method"])


def refused(answer: Answer, words: str) -> None:
    assert answer.status == 400, answer.body
    assert answer.error["code"] == "authenticator_not_allowed", answer.body
    assert words in answer.error["message"], answer.error["message"]


def step_up_with(user: User, key: SoftKey) -> str:
    started = user.call("POST", "/me/verifications", {"purpose": "stepUp"})
    assert started.status == 201, started.body
    answer = user.call(
        "POST",
        f"/me/verifications/{started.body['verificationId']}",
        {"credential": key.get(started.body["challenge"]["publicKey"])},
    )
    assert answer.status == 200, answer.body
    user.step_up_token = answer.body["stepUpToken"]
    return str(user.step_up_token)


# --- what a key records and shows --------------------------------------------------------------


def test_a_passkey_is_a_discoverable_credential_and_shows_its_model(api: Api) -> None:
    user = api.user()
    begun = begin(user, passkey=True)
    assert begun.status == 201, begun.body
    options = begun.body["publicKey"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["requireResidentKey"] is True
    assert options["extensions"] == {"credProps": True}
    # The default rules need nothing the attestation would tell.
    assert options["attestation"] == "none"
    key = SoftKey(aaguid=GOOGLE_PASSWORD_MANAGER, backup_eligible=True, backed_up=True)
    done = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"credential": key.create(options)},
    )
    assert done.status == 201, done.body
    method = done.body["method"]
    assert method["aaguid"] == GOOGLE_PASSWORD_MANAGER
    assert method["model"] == "Google Password Manager"
    assert method["passkey"] is True and method["synced"] is True and method["attested"] is False
    [listed] = user.info()["methods"]
    assert {k: listed[k] for k in ("aaguid", "model", "passkey", "synced", "attested")} == {
        k: method[k] for k in ("aaguid", "model", "passkey", "synced", "attested")
    }
    registered_events = [
        e
        for e in api.events()
        if e["detail"].get("userId") == user.user_id and e["detail-type"] == "MethodRegistered"
    ]
    assert (
        registered_events and registered_events[-1]["detail"]["after"]["model"] == "Google Password Manager"
    )


def test_a_plain_key_is_device_bound_and_an_unknown_model_is_a_security_key(api: Api) -> None:
    user = api.user()
    begun = begin(user)
    assert begun.body["publicKey"]["authenticatorSelection"]["residentKey"] == "discouraged"
    method = registered(user, SoftKey())
    assert method["aaguid"] == ZERO_AAGUID and method["model"] == "Security key"
    assert method["passkey"] is False and method["synced"] is False and method["attested"] is False


def test_a_key_that_stores_the_credential_anyway_is_recorded_as_a_passkey(api: Api) -> None:
    # credProps.rk says what the authenticator made (a platform authenticator always stores it).
    user = api.user()
    method = registered(user, SoftKey(resident=True, aaguid=YUBIKEY_5_NFC))
    assert method["passkey"] is True and method["model"] == "YubiKey 5 Series with NFC"


# --- the authenticator rules ---------------------------------------------------------------------


def test_user_verification_required_refuses_a_key_without_pin_and_discouraged_allows_it(api: Api) -> None:
    user = api.user()
    refused(register(user, SoftKey(user_verified=False)), "User verification (PIN or biometric) is required")
    assert user.info()["methods"] == []
    with policy_changed(api, {"securityKey": {"userVerification": "discouraged"}}):
        begun = begin(user)
        assert begun.body["publicKey"]["authenticatorSelection"]["userVerification"] == "discouraged"
        method = registered(user, SoftKey(user_verified=False))
    assert method["type"] == "securityKey"


def test_a_refused_key_ends_its_registration(api: Api) -> None:
    user = api.user()
    begun = begin(user)
    path = f"/me/methods/registrations/{begun.body['registrationId']}"
    first = user.call(
        "POST", path, {"credential": SoftKey(user_verified=False).create(begun.body["publicKey"])}
    )
    refused(first, "User verification")
    # One answer per challenge: the same registration takes no second key.
    again = user.call("POST", path, {"credential": SoftKey().create(begun.body["publicKey"])})
    assert again.status == 404, again.body


def test_a_blocked_model_is_refused_and_others_are_not(api: Api) -> None:
    user = api.user()
    with policy_changed(api, {"securityKey": {"blockedAaguids": [YUBIKEY_5_NFC.upper()]}}) as policy:
        # Kept in lower case; a block list asks the authenticator for its attestation (the AAGUID).
        assert policy["securityKey"]["blockedAaguids"] == [YUBIKEY_5_NFC]
        assert begin(user).body["publicKey"]["attestation"] == "direct"
        refused(
            register(user, SoftKey(aaguid=YUBIKEY_5_NFC)), "This key's model is blocked by your organization"
        )
        registered(user, SoftKey(aaguid=GOOGLE_PASSWORD_MANAGER))


def test_only_allowed_models_register_when_there_is_an_allow_list(api: Api) -> None:
    user = api.user()
    with policy_changed(api, {"securityKey": {"allowedAaguids": [YUBIKEY_5_NFC]}}):
        refused(register(user, SoftKey(aaguid=GOOGLE_PASSWORD_MANAGER)), "not one your organization allows")
        refused(register(user, SoftKey()), "not one your organization allows")
        method = registered(user, SoftKey(aaguid=YUBIKEY_5_NFC))
    assert method["model"] == "YubiKey 5 Series with NFC"


def test_synced_passkeys_can_be_refused(api: Api) -> None:
    user = api.user()
    with policy_changed(api, {"securityKey": {"allowSynced": False}}):
        refused(
            register(user, SoftKey(backup_eligible=True, aaguid=GOOGLE_PASSWORD_MANAGER)),
            "Synced passkeys are not allowed",
        )
        method = registered(user, SoftKey(aaguid=YUBIKEY_5_NFC))
    assert method["synced"] is False


def test_attestation_required_takes_only_keys_that_chain_to_a_trusted_root(api: Api) -> None:
    vendor, stranger = TestCa("Trusted Vendor Root"), TestCa("Unknown Vendor Root")
    user = api.user()
    change = {"securityKey": {"attestation": "required", "trustedRoots": [vendor.pem]}}
    with policy_changed(api, change):
        assert begin(user).body["publicKey"]["attestation"] == "direct"
        words = "requires keys whose attestation can be verified"
        refused(register(user, SoftKey(aaguid=YUBIKEY_5_NFC)), words)  # "none"
        refused(register(user, SoftKey(aaguid=YUBIKEY_5_NFC, attestation="packed-self")), words)
        refused(register(user, SoftKey(aaguid=YUBIKEY_5_NFC, attestation="packed-x5c", ca=stranger)), words)
        # A certificate naming another model than the authenticator data does.
        liar = SoftKey(
            aaguid=YUBIKEY_5_NFC, attestation="packed-x5c", ca=vendor, aaguid_in_cert=GOOGLE_PASSWORD_MANAGER
        )
        refused(register(user, liar), words)
        assert user.info()["methods"] == []
        method = registered(user, SoftKey(aaguid=YUBIKEY_5_NFC, attestation="packed-x5c", ca=vendor))
    assert method["attested"] is True and method["model"] == "YubiKey 5 Series with NFC"


def test_attestation_is_recorded_where_it_verifies_even_when_not_required(api: Api) -> None:
    vendor = TestCa()
    user = api.user()
    with policy_changed(api, {"securityKey": {"trustedRoots": [vendor.pem]}}):
        attested = registered(user, SoftKey(attestation="packed-x5c", ca=vendor, aaguid=YUBIKEY_5_NFC))
    assert attested["attested"] is True
    # Without a trusted root nothing is attested, whatever the key sends.
    other = api.user()
    assert registered(other, SoftKey(attestation="packed-x5c", aaguid=YUBIKEY_5_NFC))["attested"] is False


def test_a_statement_that_does_not_verify_is_an_invalid_credential(api: Api) -> None:
    user = api.user()
    begun = begin(user)
    credential = SoftKey(attestation="packed-self").create(begun.body["publicKey"])
    # The self attestation's signature, altered: the statement no longer verifies.
    decoded = cbor2.loads(unb64url(credential["response"]["attestationObject"]))
    decoded["attStmt"]["sig"] = (
        decoded["attStmt"]["sig"][:-2]
        + bytes([decoded["attStmt"]["sig"][-2] ^ 1])
        + decoded["attStmt"]["sig"][-1:]
    )
    credential["response"]["attestationObject"] = b64url(cbor2.dumps(decoded))
    answer = user.call(
        "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"credential": credential}
    )
    assert answer.status in (400, 410) and answer.error["code"] in ("invalid_credential", "code_expired")


# --- a passkey needs a fresher step-up -------------------------------------------------------------


def test_registering_a_passkey_needs_a_step_up_from_the_last_5_minutes(api: Api) -> None:
    user = api.user()
    first = SoftKey()
    registered(user, first)
    step_up_with(user, first)
    api.advance(6 * 60)  # within the policy's 10 minutes, past a passkey's 5
    stale = begin(user, passkey=True)
    assert stale.status == 403 and stale.error["code"] == "step_up_required", stale.body
    assert "last 5 minutes" in stale.error["message"]
    # A plain key takes the same step-up.
    assert begin(user).status == 201
    step_up_with(user, first)
    done = register(user, SoftKey(aaguid=GOOGLE_PASSWORD_MANAGER, backup_eligible=True), passkey=True)
    assert done.status == 201, done.body
    assert done.body["method"]["passkey"] is True


# --- the rules in the policy -----------------------------------------------------------------------


def test_the_rules_round_trip_and_bad_rules_are_refused_naming_the_field(api: Api) -> None:
    boss = admin(api)
    policy = boss.call("GET", "/admin/policy").body
    assert policy["securityKey"] == {
        "userVerification": "required",
        "attestation": "none",
        "allowSynced": True,
        "allowedAaguids": [],
        "blockedAaguids": [],
        "trustedRoots": [],
    }

    def put(change: dict[str, Any]) -> Answer:
        body = {**policy, "securityKey": {**policy["securityKey"], **change}}
        return boss.call("PUT", "/admin/policy", body)

    cases: list[tuple[dict[str, Any], str]] = [
        ({"attestation": "required"}, "securityKey.trustedRoots"),
        ({"trustedRoots": ["not a certificate"]}, "securityKey.trustedRoots[0]"),
        (
            {"trustedRoots": ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]},
            "securityKey.trustedRoots[0]",
        ),
        ({"allowedAaguids": ["yubikey"]}, "securityKey.allowedAaguids[0]"),
        (
            {"allowedAaguids": [YUBIKEY_5_NFC], "blockedAaguids": [YUBIKEY_5_NFC]},
            "securityKey.blockedAaguids[0]",
        ),
        ({"blockedAaguids": [YUBIKEY_5_NFC, YUBIKEY_5_NFC.upper()]}, "securityKey.blockedAaguids[1]"),
        ({"userVerification": "always"}, "securityKey.userVerification"),
        ({"allowSynced": "no"}, "securityKey.allowSynced"),
        ({"colour": "blue"}, "securityKey.colour"),
    ]
    for change, field in cases:
        answer = put(change)
        assert answer.status == 400, (change, answer.body)
        assert answer.error["field"] == field, (change, answer.body)
    # A leaf certificate is not a root.
    leaf_ca = TestCa()
    der, _ = leaf_ca.attestation_cert(YUBIKEY_5_NFC)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    leaf_pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()
    assert put({"trustedRoots": [leaf_pem]}).error["field"] == "securityKey.trustedRoots[0]"
    # What GET answers after a change is valid PUT input again.
    with policy_changed(api, {"securityKey": {"attestation": "required", "trustedRoots": [TestCa().pem]}}):
        again = boss.call("GET", "/admin/policy").body
        assert boss.call("PUT", "/admin/policy", again).status == 200


@pytest.mark.parametrize("value", [True, "yes"])
def test_passkey_must_be_a_boolean(api: Api, value: Any) -> None:
    user = api.user()
    answer = user.call("POST", "/me/methods", {"type": "securityKey", "displayName": "K", "passkey": value})
    if value is True:
        assert answer.status == 201
    else:
        assert answer.status == 400 and answer.error["field"] == "passkey"
