"""Who is asking and from where, and the adapters a domain call needs (passed in, so unit tests can
hand in fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock
from .crypto import KeyedHasher, SecretBox
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
    # Built on first use: only functions that hash codes or passwords fetch the key (and need IAM for it).
    hasher_factory: Callable[[], KeyedHasher] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _hasher: KeyedHasher | None = field(default=None, repr=False)

    @property
    def hasher(self) -> KeyedHasher:
        if self._hasher is None:
            if self.hasher_factory is None:
                raise RuntimeError("no hash key configured")
            self._hasher = self.hasher_factory()
        return self._hasher
