"""Hardware OATH tokens for the tests: what an administrator uploads, and the codes the token shows."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from securityinfo.methods import totp
from tests.support_api import Answer, Api, User


@dataclass
class Token:
    serial: str
    secret: str
    digits: int = 6
    period: int = 30
    hash_function: str = "sha1"
    manufacturer: str = "Contoso"
    model: str = "TOTP-6"
    last_step: int = -1
    shown: dict[str, int] = field(default_factory=dict)

    def upload_body(self) -> dict[str, Any]:
        return {
            "serialNumber": self.serial,
            "secret": self.secret,
            "manufacturer": self.manufacturer,
            "model": self.model,
            "digits": self.digits,
            "periodSeconds": self.period,
            "hashFunction": self.hash_function,
        }

    def code(self, api: Api) -> str:
        """The next code the token shows that the service has not accepted yet (one step on, and
        the service clock with it, when the current step's code was used)."""
        now = api.now()
        current = totp.step_at(now, self.period)
        step = max(current, self.last_step + 1)
        if step > current + 1:
            api.advance((step - current - 1) * self.period + 1)
            current = totp.step_at(api.now(), self.period)
        self.last_step = step
        return totp.code_for_step(self.secret, step, self.digits, self.hash_function)

    def current_code(self, api: Api) -> str:
        """The code the token shows right now (used or not)."""
        return totp.code_for_step(
            self.secret, totp.step_at(api.now(), self.period), self.digits, self.hash_function
        )


def new_token(**change: Any) -> Token:
    made: dict[str, Any] = {
        "serial": f"T{uuid.uuid4().hex[:12].upper()}",
        "secret": base64.b32encode(secrets.token_bytes(20)).decode(),
    }
    return Token(**{**made, **change})


def upload(boss: User, *tokens: Token) -> Answer:
    return boss.call("POST", "/admin/hardware-tokens", {"tokens": [t.upload_body() for t in tokens]})


def listed(boss: User, serial: str) -> dict[str, Any] | None:
    """The token's entry in the admin list (pages through it), or None."""
    cursor: str | None = None
    while True:
        answer = boss.call("GET", "/admin/hardware-tokens" + (f"?cursor={cursor}" if cursor else ""))
        assert answer.status == 200, answer.body
        for entry in answer.body["tokens"]:
            if entry["serialNumber"] == serial:
                return dict(entry)
        cursor = answer.body.get("nextCursor")
        if not cursor:
            return None


def begin_claim(user: User, token: Token, **extra: Any) -> Answer:
    return user.call("POST", "/me/methods", {"type": "hardwareOath", "serialNumber": token.serial, **extra})


def claim(user: User, token: Token) -> dict[str, Any]:
    """Claim the token as its user would: the serial number, then the code it shows; the Method."""
    begun = begin_claim(user, token)
    assert begun.status == 201, begun.body
    done = user.call(
        "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": token.code(user.api)}
    )
    assert done.status == 201, done.body
    return dict(done.body["method"])


def verify(user: User, token: Token, method_id: str, purpose: str = "mfa", code: str | None = None) -> Answer:
    started = user.call("POST", "/me/verifications", {"purpose": purpose, "methodId": method_id})
    assert started.status == 201, started.body
    assert started.body["type"] == "hardwareOath" and started.body["challenge"] == {}
    return user.call(
        "POST", f"/me/verifications/{started.body['verificationId']}", {"code": code or token.code(user.api)}
    )


def step_up(user: User, token: Token, method_id: str) -> None:
    answer = verify(user, token, method_id, "stepUp")
    assert answer.status == 200, answer.body
    user.step_up_token = answer.body["stepUpToken"]
