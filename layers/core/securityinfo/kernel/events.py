"""Audit events (source ``security-info``): the common detail shape. Details never carry a secret,
code, password or full phone number/address: callers pass masked values only.

An event is never put on the bus by the code that makes the change: it is written as an activity
item in the change's own transaction (``storage.outbox.Change.emit``), and the outbox's publisher
puts it on the bus from the table's stream (SPEC §14)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from securityinfo.kernel.clock import iso

if TYPE_CHECKING:
    from securityinfo.kernel.context import Caller

SOURCE = "security-info"


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
