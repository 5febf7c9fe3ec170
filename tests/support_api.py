"""A small HTTP client for the local runtime, as the frontend or a curl user would call it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from securityinfo.methods import totp
from tests import support_contract


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error(self) -> dict[str, Any]:
        return dict(self.body["error"]) if isinstance(self.body, dict) and "error" in self.body else {}


class Api:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, hdrs = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as refused:
            status, payload, hdrs = refused.code, refused.read(), dict(refused.headers)
        text = payload.decode() if payload else ""
        try:
            parsed: Any = json.loads(text) if text else None
        except ValueError:
            parsed = text
        # Checked against docs/openapi.json when the session ends (tests/conftest.py).
        support_contract.record(method, path, status, parsed, hdrs)
        return Answer(status, parsed, hdrs)

    def now(self) -> float:
        stamp = self.call("GET", "/local/clock").body["now"]
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    def advance(self, seconds: float) -> None:
        answer = self.call("POST", "/local/clock", {"advanceSeconds": seconds})
        assert answer.status == 200, answer.body

    def events(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/local/events").body["events"])

    def user(self, name: str | None = None, *, admin: bool = False, locale: str | None = None) -> User:
        """A user's token; ``locale`` is the identity provider's locale claim ("nl-NL")."""
        username = name or f"user-{uuid.uuid4().hex[:12]}"
        body: dict[str, Any] = {"username": username, "admin": admin}
        if locale is not None:
            body["locale"] = locale
        answer = self.call("POST", "/local/token", body)
        assert answer.status == 200, answer.body
        return User(self, answer.body["accessToken"], answer.body["userId"], username)


@dataclass
class User:
    api: Api
    token: str
    user_id: str
    username: str
    step_up_token: str | None = None
    last_steps: dict[str, int] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
        extra = dict(headers or {})
        if self.step_up_token and "X-Step-Up-Token" not in extra:
            extra["X-Step-Up-Token"] = self.step_up_token
        return self.api.call(method, path, body, token=self.token, headers=extra)

    def code(self, secret: str) -> str:
        """The next code an authenticator app would show that the service has not accepted yet:
        a step already used is a replay, so move to a later step, and the clock with it if needed."""
        now = self.api.now()
        current = totp.step_at(now)
        # Not current - 1: on a busy machine the request can reach the server after the next step
        # began, and current - 1 would then be two steps old (outside the one-step window).
        step = max(current, self.last_steps.get(secret, -1) + 1)
        if step > current + 1:
            self.api.advance((step - current - 1) * totp.PERIOD + 1)
            current = totp.step_at(self.api.now())
        self.last_steps[secret] = step
        return totp.code_for_step(secret, step)

    def add_totp(self, name: str = "Authenticator app") -> tuple[dict[str, Any], str]:
        """Register a softwareOath method; returns (Method, secret)."""
        begun = self.call("POST", "/me/methods", {"type": "softwareOath", "displayName": name})
        assert begun.status == 201, begun.body
        secret = begun.body["secret"]
        done = self.call(
            "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": self.code(secret)}
        )
        assert done.status == 201, done.body
        return done.body["method"], secret

    def verify(self, purpose: str, secret: str, method_id: str | None = None) -> Answer:
        body: dict[str, Any] = {"purpose": purpose}
        if method_id:
            body["methodId"] = method_id
        started = self.call("POST", "/me/verifications", body)
        assert started.status == 201, started.body
        return self.call(
            "POST", f"/me/verifications/{started.body['verificationId']}", {"code": self.code(secret)}
        )

    def step_up(self, secret: str, method_id: str | None = None) -> str:
        answer = self.verify("stepUp", secret, method_id)
        assert answer.status == 200, answer.body
        self.step_up_token = answer.body["stepUpToken"]
        return str(self.step_up_token)

    def info(self) -> dict[str, Any]:
        answer = self.call("GET", "/me/security-info")
        assert answer.status == 200, answer.body
        return dict(answer.body)
