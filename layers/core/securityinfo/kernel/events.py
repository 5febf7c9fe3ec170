"""Audit events on the EventBridge bus (source ``security-info``). Details never carry a secret,
code, password or full phone number/address: callers pass masked values only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from securityinfo.kernel.clock import iso

if TYPE_CHECKING:
    from securityinfo.kernel.context import Caller

SOURCE = "security-info"


class EventSink(Protocol):
    def put(self, detail_type: str, detail: dict[str, Any]) -> None: ...


class EventBridgeSink:
    def __init__(self, client: Any, bus_name: str, logger: Any) -> None:
        self._client = client
        self._bus = bus_name
        self._logger = logger

    def put(self, detail_type: str, detail: dict[str, Any]) -> None:
        entry = {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail),
            "EventBusName": self._bus,
        }
        try:
            out = self._client.put_events(Entries=[entry])
            failed = out.get("FailedEntryCount", 0)
        except Exception as exc:  # the change is done; losing its audit event must be visible
            self._logger.error(
                "event_not_published", extra={"detailType": detail_type, "error": type(exc).__name__}
            )
            return
        if failed:
            self._logger.error("event_not_published", extra={"detailType": detail_type})


class MemorySink:
    """Collects events in a list (unit tests)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def put(self, detail_type: str, detail: dict[str, Any]) -> None:
        self.events.append((detail_type, detail))


def detail(
    caller: Caller,
    now: float,
    *,
    user_id: str | None = None,
    method_type: str | None = None,
    method_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The common detail shape of every event."""
    body: dict[str, Any] = {
        "userId": user_id or caller.user_id,
        "actor": caller.actor,
        "sourceIp": caller.source_ip,
        "userAgent": caller.user_agent,
        "correlationId": caller.correlation_id,
        "occurredAt": iso(now),
    }
    if method_type is not None:
        body["methodType"] = method_type
    if method_id is not None:
        body["methodId"] = method_id
    if before is not None:
        body["before"] = before
    if after is not None:
        body["after"] = after
    body.update(extra)
    return body
