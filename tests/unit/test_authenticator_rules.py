"""The table of known authenticator models and the policy's authenticator rules, without the API:
each AAGUID in the table is well formed and the table says where it came from; the rules refuse in
their order with a message naming the rule; an attestation chain is trusted only when it ends at a
configured root and its certificate names the authenticator data's AAGUID."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from securityinfo.kernel.errors import AuthenticatorNotAllowed
from securityinfo.methods import security_key
from securityinfo.policy.defaults import DEFAULTS_BUT_TYPES
from tests.support_webauthn import GOOGLE_PASSWORD_MANAGER, YUBIKEY_5_NFC, SoftKey, TestCa, unb64url

TABLE = Path(security_key.__file__).with_name("aaguids.json")
AAGUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_the_table_of_models_is_well_formed_and_says_where_it_came_from() -> None:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert "passkey-authenticator-aaguids" in table["about"] and "FIDO" in table["about"]
    assert table["aaguids"] and all(AAGUID.match(a) for a in table["aaguids"])
    assert all(isinstance(name, str) and name for name in table["aaguids"].values())


def test_a_model_by_its_aaguid_and_security_key_when_unknown() -> None:
    assert security_key.model_of(YUBIKEY_5_NFC.upper()) == "YubiKey 5 Series with NFC"
    assert security_key.model_of(GOOGLE_PASSWORD_MANAGER) == "Google Password Manager"
    assert security_key.model_of("00000000-0000-0000-0000-000000000000") == "Security key"
    assert security_key.model_of(None) == "Security key"


def rules(**change: Any) -> dict[str, Any]:
    return {**DEFAULTS_BUT_TYPES["securityKey"], **change}


def check(rule_set: dict[str, Any], **key: Any) -> str | None:
    facts = {"aaguid": YUBIKEY_5_NFC, "user_verified": True, "synced": False, "attested": False, **key}
    try:
        security_key.authenticator_rules(rule_set, **facts)
    except AuthenticatorNotAllowed as refused:
        assert refused.code == "authenticator_not_allowed" and refused.status == 400
        return refused.message
    return None


@pytest.mark.parametrize(
    ("rule_set", "key", "words"),
    [
        (rules(), {"user_verified": False}, "User verification (PIN or biometric) is required"),
        (rules(userVerification="preferred"), {"user_verified": False}, None),
        (rules(blockedAaguids=[YUBIKEY_5_NFC]), {}, "model is blocked by your organization"),
        (rules(allowedAaguids=[GOOGLE_PASSWORD_MANAGER]), {}, "not one your organization allows"),
        (rules(allowedAaguids=[YUBIKEY_5_NFC]), {}, None),
        (rules(allowSynced=False), {"synced": True}, "Synced passkeys are not allowed"),
        (rules(attestation="required"), {}, "attestation can be verified"),
        (rules(attestation="required"), {"attested": True}, None),
        # In order: user verification is told before the model.
        (rules(blockedAaguids=[YUBIKEY_5_NFC]), {"user_verified": False}, "User verification"),
    ],
)
def test_each_rule_refuses_saying_which(
    rule_set: dict[str, Any], key: dict[str, Any], words: str | None
) -> None:
    message = check(rule_set, **key)
    if words is None:
        assert message is None
    else:
        assert message is not None and words in message


def attestation(key: SoftKey) -> tuple[bytes, str]:
    options = {"user": {"id": "aGFuZGxl"}, "challenge": "Y2hhbGxlbmdl"}
    made = key.create(options)
    return unb64url(made["response"]["attestationObject"]), key.aaguid


def test_an_attestation_chain_is_trusted_only_to_a_configured_root() -> None:
    vendor, other = TestCa(), TestCa("Other Root")
    good = attestation(SoftKey(attestation="packed-x5c", ca=vendor, aaguid=YUBIKEY_5_NFC))
    assert security_key.attestation_chains(*good, [vendor.pem]) is True
    assert security_key.attestation_chains(*good, [other.pem]) is False
    assert security_key.attestation_chains(*good, []) is False
    assert security_key.attestation_chains(*good, [other.pem, vendor.pem]) is True
    liar = attestation(
        SoftKey(
            attestation="packed-x5c", ca=vendor, aaguid=YUBIKEY_5_NFC, aaguid_in_cert=GOOGLE_PASSWORD_MANAGER
        )
    )
    assert security_key.attestation_chains(*liar, [vendor.pem]) is False
    for kind in ("none", "packed-self"):
        assert security_key.attestation_chains(*attestation(SoftKey(attestation=kind)), [vendor.pem]) is False
