"""The service clock: every expiry, TOTP step and lockout check reads it.

In AWS it is the system clock. ``SERVICE_CLOCK_OFFSET_SECONDS`` (configuration, default 0) shifts it,
which lets an operator or a local run move time forward to watch codes, locks and wizards expire.
It is read on every call, not cached, because the offset may change while a function is warm.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

from securityinfo.kernel.config import CLOCK_OFFSET_ENV, clock_offset

# The local runtime moves the service clock by this variable (read through config on every use).
OFFSET_ENV = CLOCK_OFFSET_ENV


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class ServiceClock:
    """System time plus the configured offset."""

    def now(self) -> float:
        return time.time() + clock_offset()


class FixedClock:
    """A clock for tests that moves only when told."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def iso(ts: float) -> str:
    """ISO 8601 UTC with a trailing Z, second precision."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
