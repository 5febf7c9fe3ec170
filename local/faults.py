"""``POST /local/faults {service: events|sms|email, failNext: n}``: the next n calls to EventBridge
PutEvents, to SNS for a text, or to SNS for an email (the delivery topic's ``channel=email``
messages) fail as a throttled AWS call does (``failNext: 0`` clears). So anyone can watch events
and notices survive an outage: the outbox's publisher retries from the stream, the notifier's queue
redelivers.

The failure is raised inside moto's backend (in-process, the object the emulator's server calls),
so the caller gets the real HTTP error and botocore's own retries count as calls too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.core.exceptions import JsonRESTError, ServiceException
from moto.events.models import EventsBackend

SERVICES = ("events", "sms", "email")


class Faults:
    _installed: Faults | None = None

    def __init__(self) -> None:
        self._remaining = dict.fromkeys(SERVICES, 0)
        self._failed = dict.fromkeys(SERVICES, 0)
        self._lock = threading.Lock()
        self._original_put_events: Callable[..., Any] | None = None

    def set(self, service: str, fail_next: int) -> None:
        if service not in SERVICES:
            raise ValueError(service)
        with self._lock:
            self._remaining[service] = fail_next

    def state(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {s: {"failNext": self._remaining[s], "failed": self._failed[s]} for s in SERVICES}

    def take(self, service: str) -> bool:
        """Should this call fail? Counts it down when so."""
        with self._lock:
            if self._remaining[service] <= 0:
                return False
            self._remaining[service] -= 1
            self._failed[service] += 1
            return True

    def check_sns(self, phone_number: str | None, attributes: dict[str, Any] | None) -> None:
        """Called by the SNS tap before moto accepts a publish."""
        channel = (attributes or {}).get("channel")
        if isinstance(channel, dict):
            channel = channel.get("Value", channel.get("StringValue"))
        service = "sms" if phone_number else "email" if channel == "email" else None
        if service is not None and self.take(service):
            raise ServiceException("Throttling", "Rate exceeded")

    def install(self) -> None:
        if Faults._installed is not None:
            raise RuntimeError("another local runtime injects faults in this process")
        original = EventsBackend.put_events
        self._original_put_events = original
        faults = self

        def put_events(backend: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            if faults.take("events"):
                raise JsonRESTError("ThrottlingException", "Rate exceeded")
            return original(backend, events)

        EventsBackend.put_events = put_events  # type: ignore[assignment]
        Faults._installed = self

    def uninstall(self) -> None:
        if self._original_put_events is not None and Faults._installed is self:
            EventsBackend.put_events = self._original_put_events  # type: ignore[method-assign]
            Faults._installed = None
