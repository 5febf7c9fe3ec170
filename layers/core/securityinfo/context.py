"""Who is asking and from where, and the adapters a domain call needs (passed in, so unit tests can
hand in fakes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .crypto import SecretBox
from .events import EventSink


@dataclass(frozen=True)
class Caller:
    """The verified caller. Built only from the authorizer's claims and the request's envelope."""

    user_id: str
    username: str = ""
    groups: tuple[str, ...] = ()
    auth_time: int | None = None
    source_ip: str | None = None
    user_agent: str | None = None
    correlation_id: str = ""
    step_up_token: str | None = None
    temporary_access_pass: str | None = None
    actor: str = "self"


@dataclass
class Deps:
    clock: Clock
    secrets: SecretBox
    events: EventSink
    totp_issuer: str = "Security Info"
    extra: dict[str, Any] = field(default_factory=dict)
