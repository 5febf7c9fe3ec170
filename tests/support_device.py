"""A simulated authenticator app for the tests: it speaks only the public device API (docs/API.md,
"Authenticator app"), as the phone page does. It keeps an EC P-256 key pair, activates with an
activation code, signs each request, reads its pending requests and answers them, and shows TOTP
codes from the secret it received at activation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from securityinfo.methods import totp
from tests.support_api import Answer, Api


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{method}\n{path}\n{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}".encode()


def code_from_qr(qr_content: str) -> str:
    """The activation code inside the QR's content (``<activationUrl>?code=<code>``)."""
    return parse_qs(urlparse(qr_content).query)["code"][0]


@dataclass
class Device:
    api: Api
    name: str = "Test phone"
    push_token: str | None = None
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    device_id: str = ""
    secret: str = ""
    account: dict[str, Any] = field(default_factory=dict)
    last_steps: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.push_token is None:
            self.push_token = f"push-{secrets.token_hex(8)}"

    # -- keys and signing ----------------------------------------------------------------------

    def public_jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }

    def signed_headers(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
        key: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict[str, str]:
        stamp = str(int(self.api.now()) if timestamp is None else timestamp)
        nonce = nonce or b64url(secrets.token_bytes(16))
        signature = (key or self.key).sign(
            canonical(method, path, stamp, nonce, body), ec.ECDSA(hashes.SHA256())
        )
        return {
            "X-Device-Timestamp": stamp,
            "X-Device-Nonce": nonce,
            "X-Device-Signature": b64url(signature),
        }

    def signed(
        self, method: str, path: str, body: dict[str, Any] | None = None, **signing: Any
    ) -> tuple[Answer, dict[str, str], bytes]:
        """Send one signed request; returns the answer and what was sent (for replays)."""
        raw = json.dumps(body).encode() if body is not None else b""
        headers = self.signed_headers(method, path, raw, **signing)
        answer = self.api.call(method, path, raw=raw if body is not None else None, headers=headers)
        return answer, headers, raw

    # -- the device API ------------------------------------------------------------------------

    def activate(self, activation_code: str) -> Answer:
        body: dict[str, Any] = {
            "activationCode": activation_code,
            "publicKeyJwk": self.public_jwk(),
            "deviceName": self.name,
        }
        if self.push_token:
            body["pushToken"] = self.push_token
        answer = self.api.call("POST", "/devices/activate", body)
        if answer.status == 201:
            self.device_id = answer.body["deviceId"]
            self.secret = answer.body["totp"]["secret"]
            self.account = answer.body
        return answer

    def pending(self) -> Answer:
        return self.signed("GET", f"/devices/{self.device_id}/pending")[0]

    def requests(self) -> list[dict[str, Any]]:
        answer = self.pending()
        assert answer.status == 200, answer.body
        return list(answer.body["requests"])

    def wait_for_request(self, verification_id: str | None = None, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for request in self.requests():
                if verification_id is None or request["verificationId"] == verification_id:
                    return request
            assert time.monotonic() < deadline, "no pending request reached the device"
            time.sleep(0.2)

    def decide(self, verification_id: str, decision: str, number: str | None = None) -> Answer:
        body: dict[str, Any] = {"decision": decision}
        if number is not None:
            body["numberEntered"] = number
        return self.signed("POST", f"/devices/{self.device_id}/approvals/{verification_id}", body)[0]

    def approve(self, verification_id: str, number: str) -> Answer:
        return self.decide(verification_id, "approve", number)

    def code(self) -> str:
        """The app's current TOTP code, never one it showed before (moves the clock if needed)."""
        while True:
            step = totp.step_at(self.api.now())
            if step not in self.last_steps:
                self.last_steps.add(step)
                return totp.code_for_step(self.secret, step)
            self.api.advance(totp.PERIOD)
