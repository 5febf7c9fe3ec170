"""Published WebAuthn responses through our securityKey method (and py_webauthn under it).

The vectors are recorded browser/authenticator responses from py_webauthn's test suite (RP id
``localhost``, origin ``http://localhost:5000``): a "none" attestation and EC2 assertions. Each is
checked the way the service checks it: challenge, origin, RP id, user verification per policy, and
the signature counter.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from securityinfo.kernel.clock import FixedClock
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import InvalidCode
from securityinfo.methods.base import MethodContext
from securityinfo.methods.security_key import SecurityKey, b64url, unb64url
from securityinfo.policy.defaults import DEFAULT_POLICY
from securityinfo.policy.model import Policy
from securityinfo.storage.models import (
    CredentialItem,
    RegistrationItem,
    SecurityKeyMethodItem,
    VerificationItem,
)

ORIGIN = "http://localhost:5000"

NONE_ATTESTATION = {
    "id": "9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY494k7Q3xrs_w",
    "rawId": "9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY494k7Q3xrs_w",
    "response": {
        "attestationObject": (
            "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjESZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NFAAAAFwAAAAAAAAA"
            "AAAAAAAAAAAAAQPctcQPE5oNRRJk_nO_371mf7qE7qIodzr0eOf6ACvnMB1oQG165dqutoi1U44shGezu5_gkTjmOPeJO0N8a7P-l"
            "AQIDJiABIVggSFbUJF-42Ug3pdM8rDRFu_N5oiVEysPDB6n66r_7dZAiWCDUVnB39FlGypL-qAoIO9xWHtJygo2jfDmHl-_eKFRLDA"
        ),
        "clientDataJSON": (
            "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiVHdON240V1R5R0tMYzRaWS1xR3NGcUtuSE00bmdscXN5VjBJ"
            "Q0psTjJUTzlYaVJ5RnRya2FEd1V2c3FsLWdrTEpYUDZmbkYxTWxyWjUzTW00UjdDdnciLCJvcmlnaW4iOiJodHRwOi8vbG9jYWxo"
            "b3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9"
        ),
        "transports": ["nfc", "usb"],
    },
    "type": "public-key",
    "clientExtensionResults": {},
}
NONE_CHALLENGE = "TwN7n4WTyGKLc4ZY-qGsFqKnHM4nglqsyV0ICJlN2TO9XiRyFtrkaDwUvsql-gkLJXP6fnF1MlrZ53Mm4R7Cvw"
NONE_PUBLIC_KEY = (
    "pQECAyYgASFYIEhW1CRfuNlIN6XTPKw0RbvzeaIlRMrDwwep-uq_-3WQIlgg1FZwd_RZRsqS_qgKCDvcVh7ScoKNo3w5h5fv3ihUSww"
)

# An assertion with the user-present flag only (no user verification), counter 77 -> 78.
EC2_ASSERTION = {
    "id": "EDx9FfAbp4obx6oll2oC4-CZuDidRVV4gZhxC529ytlnqHyqCStDUwfNdm1SNHAe3X5KvueWQdAX3x9R1a2b9Q",
    "rawId": "EDx9FfAbp4obx6oll2oC4-CZuDidRVV4gZhxC529ytlnqHyqCStDUwfNdm1SNHAe3X5KvueWQdAX3x9R1a2b9Q",
    "response": {
        "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MBAAAATg",
        "clientDataJSON": (
            "eyJjaGFsbGVuZ2UiOiJ4aTMwR1BHQUZZUnhWRHBZMXNNMTBEYUx6VlFHNjZudi1fN1JVYXpIMHZJMll2RzhMWWdERW52TjVmWlpOVnV2"
            "RUR1TWk5dGUzVkxxYjQyTjBma0xHQSIsImNsaWVudEV4dGVuc2lvbnMiOnt9LCJoYXNoQWxnb3JpdGhtIjoiU0hBLTI1NiIsIm9y"
            "aWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6NTAwMCIsInR5cGUiOiJ3ZWJhdXRobi5nZXQifQ"
        ),
        "signature": (
            "MEUCIGisVZOBapCWbnJJvjelIzwpixxIwkjCCb5aCHafQu68AiEA88v-2pJNNApPFwAKFiNuf82-2hBxYW5kGwVweeoxCwo"
        ),
    },
    "type": "public-key",
    "clientExtensionResults": {},
}
EC2_CHALLENGE = "xi30GPGAFYRxVDpY1sM10DaLzVQG66nv-_7RUazH0vI2YvG8LYgDEnvN5fZZNVuvEDuMi9te3VLqb42N0fkLGA"
EC2_PUBLIC_KEY = (
    "pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDSA_Ngtkx0vGpvPHI"
)


@pytest.fixture(autouse=True)
def relying_party(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBAUTHN_RP_ID", "localhost")
    monkeypatch.setenv("WEBAUTHN_ORIGINS", f"https://contoso.example,{ORIGIN}")


def context(user_verification: str | None = None) -> MethodContext:
    document: dict[str, Any] = copy.deepcopy(DEFAULT_POLICY)
    if user_verification:
        document["securityKey"] = {"userVerification": user_verification}
    deps = Deps(clock=FixedClock(), secrets=None)  # type: ignore[arg-type]
    return MethodContext(deps, Caller(user_id="alice", username="alice"), Policy(document), 1_700_000_000.0)


def registration(challenge: str) -> RegistrationItem:
    return RegistrationItem("USER#alice", "REG#r1", registration_id="r1", method_id="m1",
                            data={"challenge": challenge, "userHandle": b64url(b"h" * 32)})  # fmt: skip


def verification(challenge: str) -> VerificationItem:
    return VerificationItem(
        "USER#alice", "VERIF#m1.v1", verification_id="m1.v1", data={"challenge": challenge}
    )


def key(credential_id: str, public_key: str, sign_count: int) -> SecurityKeyMethodItem:
    return SecurityKeyMethodItem("USER#alice", "METHOD#m1", method_id="m1", method_type="securityKey",
                                 credential_id=credential_id, public_key=unb64url(public_key),
                                 sign_count=sign_count)  # fmt: skip


def test_none_attestation_registers_the_credential_and_claims_its_id() -> None:
    done = SecurityKey().complete_registration(
        context(), registration(NONE_CHALLENGE), {"credential": NONE_ATTESTATION}
    )
    method = done.method
    assert isinstance(method, SecurityKeyMethodItem)
    assert method.credential_id == NONE_ATTESTATION["id"]
    assert method.public_key == unb64url(NONE_PUBLIC_KEY)
    assert method.sign_count == 23
    assert method.aaguid == "00000000-0000-0000-0000-000000000000"
    assert method.transports == ["nfc", "usb"]
    [claim] = done.linked
    assert isinstance(claim, CredentialItem) and claim.pk == f"CREDENTIAL#{NONE_ATTESTATION['id']}"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: NONE_CHALLENGE[:-2] + "AA", id="another challenge"),
        pytest.param("origin", id="an origin not configured"),
        pytest.param("rp", id="another RP id"),
    ],
)
def test_a_registration_for_another_challenge_origin_or_rp_is_refused(
    change: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    challenge = NONE_CHALLENGE
    if change == "origin":
        monkeypatch.setenv("WEBAUTHN_ORIGINS", "http://localhost:3000")
    elif change == "rp":
        monkeypatch.setenv("WEBAUTHN_RP_ID", "contoso.example")
    else:
        challenge = change(challenge)
    with pytest.raises(InvalidCode):
        SecurityKey().complete_registration(
            context(), registration(challenge), {"credential": NONE_ATTESTATION}
        )


def test_an_assertion_moves_the_counter_forward() -> None:
    proof = SecurityKey().check_verification(
        context("preferred"), key(EC2_ASSERTION["id"], EC2_PUBLIC_KEY, 77), verification(EC2_CHALLENGE),
        {"credential": EC2_ASSERTION},
    )  # fmt: skip
    assert proof.condition is not None
    values: dict[str, Any] = {}
    proof.actions[0].serialize({}, values)
    assert list(values.values()) == [{"N": "78"}]


@pytest.mark.parametrize("stored", [78, 100])
def test_an_assertion_whose_counter_did_not_increase_is_refused(stored: int) -> None:
    # The key's counter (78) is not above what the service saw last: a cloned key, or a replay.
    with pytest.raises(InvalidCode):
        SecurityKey().check_verification(
            context("preferred"), key(EC2_ASSERTION["id"], EC2_PUBLIC_KEY, stored),
            verification(EC2_CHALLENGE), {"credential": EC2_ASSERTION},
        )  # fmt: skip


def test_user_verification_required_by_policy_refuses_a_presence_only_assertion() -> None:
    with pytest.raises(InvalidCode):
        SecurityKey().check_verification(
            context(), key(EC2_ASSERTION["id"], EC2_PUBLIC_KEY, 77), verification(EC2_CHALLENGE),
            {"credential": EC2_ASSERTION},
        )  # fmt: skip


def test_an_assertion_by_another_credential_or_tampered_is_refused() -> None:
    other = key("c29tZXRoaW5nLWVsc2U", EC2_PUBLIC_KEY, 77)
    with pytest.raises(InvalidCode):
        SecurityKey().check_verification(context("preferred"), other, verification(EC2_CHALLENGE),
                                         {"credential": EC2_ASSERTION})  # fmt: skip
    tampered = copy.deepcopy(EC2_ASSERTION)
    tampered["response"]["signature"] = tampered["response"]["signature"][:-4] + "AAAA"
    with pytest.raises(InvalidCode):
        SecurityKey().check_verification(
            context("preferred"), key(EC2_ASSERTION["id"], EC2_PUBLIC_KEY, 77), verification(EC2_CHALLENGE),
            {"credential": tampered},
        )  # fmt: skip
