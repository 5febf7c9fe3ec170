"""Bench operations for the authenticator app and security keys (added to operations.OPERATIONS by
run.py): activation, the device's signed poll, a whole push round trip (start -> the device approves
-> the sign-in page collects), and a WebAuthn assertion check. The device and the key are simulated
here with cryptography, as the tests' clients do; nothing they do is timed except the requests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from operations import Budget, CallKey, Operation, Sample, Scenario, Units, add_units, service_now

ORIGIN = "http://localhost:3000"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _configure() -> None:
    """What the template gives the push and WebAuthn functions, inside the bench's moto."""
    import boto3

    os.environ.setdefault("WEBAUTHN_RP_ID", "localhost")
    os.environ.setdefault("WEBAUTHN_ORIGINS", ORIGIN)
    if not os.environ.get("PUSH_PLATFORM_APPLICATION_ARN"):
        os.environ["PUSH_PLATFORM_APPLICATION_ARN"] = boto3.client("sns").create_platform_application(
            Name="security-info-bench-authenticator",
            Platform="GCM",
            Attributes={"PlatformCredential": "bench"},
        )["PlatformApplicationArn"]
        # Settings are read once per container: start afresh, as a container with this variable would.
        from securityinfo import runtime
        from securityinfo.kernel.config import settings

        settings.cache_clear()
        runtime.deps.cache_clear()


@dataclass
class Phone:
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    device_id: str = ""

    def jwk(self) -> dict[str, str]:
        n = self.key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(n.x.to_bytes(32, "big")),
            "y": _b64url(n.y.to_bytes(32, "big")),
        }

    def headers(self, method: str, path: str, body: Any) -> dict[str, str]:
        raw = b"" if body is None else json.dumps(body).encode()
        stamp, nonce = str(int(service_now())), _b64url(secrets.token_bytes(16))
        message = f"{method}\n{path}\n{stamp}\n{nonce}\n{hashlib.sha256(raw).hexdigest()}".encode()
        signature = self.key.sign(message, ec.ECDSA(hashes.SHA256()))
        return {
            "x-device-timestamp": stamp,
            "x-device-nonce": nonce,
            "x-device-signature": _b64url(signature),
        }


def _activate(sc: Scenario, user: str, phone: Phone, sample: list[Sample] | None = None) -> str:
    begun = sc.service.call(
        "register_method", "POST /me/methods", user, body={"type": "authenticatorApp"}, expect=201
    )
    done = sc.service.call(
        "activate_device",
        "POST /devices/activate",
        user,
        body={
            "activationCode": begun["activationCode"],
            "publicKeyJwk": phone.jwk(),
            "pushToken": f"bench-{secrets.token_hex(8)}",
            "deviceName": "Bench phone",
        },
        expect=201,
        sample=sample,
    )
    phone.device_id = done["deviceId"]
    return str(begun["registrationId"])


def _decide(
    sc: Scenario, user: str, phone: Phone, vid: str, number: str, sample: list[Sample] | None = None
) -> None:
    path = f"/devices/{phone.device_id}/approvals/{vid}"
    body = {"decision": "approve", "numberEntered": number}
    sc.service.call(
        "device_decision",
        "POST /devices/{deviceId}/approvals/{verificationId}",
        user,
        params={"deviceId": phone.device_id, "verificationId": vid},
        body=body,
        headers=phone.headers("POST", path, body),
        expect=204,
        sample=sample,
    )


def _with_app(sc: Scenario) -> tuple[str, Phone]:
    """A user whose only method is the authenticator app (registered as a person does)."""
    _configure()
    user, phone = sc.person().user_id, Phone()
    rid = _activate(sc, user, phone)
    route = "POST /me/methods/registrations/{registrationId}"
    waiting = sc.service.call(
        "complete_registration", route, user, params={"registrationId": rid}, body={}, expect=202
    )
    pending = sc.service.call(
        "device_pending",
        "GET /devices/{deviceId}/pending",
        user,
        params={"deviceId": phone.device_id},
        headers=phone.headers("GET", f"/devices/{phone.device_id}/pending", None),
    )
    _decide(sc, user, phone, pending["requests"][0]["verificationId"], waiting["numberToMatch"])
    sc.service.call("complete_registration", route, user, params={"registrationId": rid}, body={}, expect=201)
    return user, phone


def op_activate(sc: Scenario, budget: Budget) -> list[Sample]:
    _configure()
    out: list[Sample] = []
    for _ in budget.rounds():
        _activate(sc, sc.person().user_id, Phone(), sample=out)
    return out


def op_pending(sc: Scenario, budget: Budget) -> list[Sample]:
    user, phone = _with_app(sc)
    out: list[Sample] = []
    path = f"/devices/{phone.device_id}/pending"
    for _ in budget.rounds():
        sc.service.call(
            "device_pending",
            "GET /devices/{deviceId}/pending",
            user,
            params={"deviceId": phone.device_id},
            headers=phone.headers("GET", path, None),
            sample=out,
        )
    return out


PUSHES_PER_USER = 5  # the policy default of push.maxRequestsPer10Minutes


def op_push_round_trip(sc: Scenario, budget: Budget) -> list[Sample]:
    """start (pushes) + the device's signed approval + the page's collect, as one sample."""
    user, phone = _with_app(sc)
    out: list[Sample] = []
    for i in budget.rounds():
        # The push-fatigue limit allows 5 pushes per user in 10 minutes: a new user (untimed) then.
        if i and i % PUSHES_PER_USER == 0:
            user, phone = _with_app(sc)
        parts: list[Sample] = []
        started = sc.service.call(
            "start_verification",
            "POST /me/verifications",
            user,
            body={"purpose": "mfa"},
            expect=201,
            sample=parts,
        )
        vid = started["verificationId"]
        _decide(sc, user, phone, vid, started["challenge"]["numberToMatch"], sample=parts)
        sc.service.call(
            "complete_verification",
            "POST /me/verifications/{verificationId}",
            user,
            params={"verificationId": vid},
            body={},
            sample=parts,
        )
        calls: Counter[CallKey] = Counter()
        units: Units = {}
        for part in parts:
            calls.update(part.calls)
            add_units(units, part.units)
        out.append(
            Sample(
                total_ms=sum(p.total_ms for p in parts),
                own_ms=sum(p.own_ms for p in parts),
                own_cpu_ms=sum(p.own_cpu_ms for p in parts),
                calls=calls,
                units=units,
                events=sum(p.events for p in parts),
            )
        )
    return out


@dataclass
class Key:
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    counter: int = 0

    def _auth_data(self, attested: bool) -> bytes:
        flags = 0x01 | 0x04 | (0x40 if attested else 0)
        data = hashlib.sha256(b"localhost").digest() + bytes([flags]) + self.counter.to_bytes(4, "big")
        if attested:
            n = self.key.public_key().public_numbers()
            cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")})
            data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cose
        return data

    def _client(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": ORIGIN}).encode()

    def create(self, options: dict[str, Any]) -> dict[str, Any]:
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": self._auth_data(True)})
        response = {"clientDataJSON": _b64url(self._client("webauthn.create", options["challenge"])),
                    "attestationObject": _b64url(attestation)}  # fmt: skip
        return {"id": _b64url(self.credential_id), "rawId": _b64url(self.credential_id), "type": "public-key",
                "response": response, "clientExtensionResults": {}}  # fmt: skip

    def get(self, options: dict[str, Any]) -> dict[str, Any]:
        self.counter += 1
        auth, client = self._auth_data(False), self._client("webauthn.get", options["challenge"])
        signature = self.key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": _b64url(client),
            "authenticatorData": _b64url(auth),
            "signature": _b64url(signature),
        }
        return {"id": _b64url(self.credential_id), "rawId": _b64url(self.credential_id), "type": "public-key",
                "response": response, "clientExtensionResults": {}}  # fmt: skip


def op_security_key(sc: Scenario, budget: Budget) -> list[Sample]:
    """POST /me/verifications/{id} with an assertion: WebAuthn verification, counter, approval."""
    _configure()
    user, key = sc.person().user_id, Key()
    begun = sc.service.call(
        "register_method",
        "POST /me/methods",
        user,
        body={"type": "securityKey", "displayName": "Key"},
        expect=201,
    )
    sc.service.call(
        "complete_registration",
        "POST /me/methods/registrations/{registrationId}",
        user,
        params={"registrationId": begun["registrationId"]},
        body={"credential": key.create(begun["publicKey"])},
        expect=201,
    )
    out: list[Sample] = []
    for _ in budget.rounds():
        started = sc.service.call(
            "start_verification", "POST /me/verifications", user, body={"purpose": "mfa"}, expect=201
        )
        sc.service.call(
            "complete_verification",
            "POST /me/verifications/{verificationId}",
            user,
            params={"verificationId": started["verificationId"]},
            body={"credential": key.get(started["challenge"]["publicKey"])},
            sample=out,
        )
    return out


OPERATIONS: list[tuple[str, Operation]] = [
    ("POST /devices/activate (authenticator app)", op_activate),
    ("GET /devices/{id}/pending (signed)", op_pending),
    ("Push round trip: start + device approval + collect (mfa)", op_push_round_trip),
    ("POST /me/verifications/{id} (security key assertion, mfa)", op_security_key),
]
