"""Helpers for the outbox's tests: events on the bus counted by eventId, and faults."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from tests.support_api import Api


def by_event_id(api: Api) -> Counter[str]:
    return Counter(str(e["detail"].get("eventId")) for e in api.events() if e["detail"].get("eventId"))


def wait_for(api: Api, event_ids: set[str], timeout: float = 30.0) -> Counter[str]:
    """Wait until every id is on the bus; returns the counts of those ids."""
    deadline = time.monotonic() + timeout
    while True:
        counts = by_event_id(api)
        if event_ids <= set(counts) or time.monotonic() > deadline:
            return Counter({i: counts[i] for i in event_ids})
        time.sleep(0.1)


def fail_next(api: Api, service: str, count: int) -> dict[str, Any]:
    answer = api.call("POST", "/local/faults", {"service": service, "failNext": count})
    assert answer.status == 200, answer.body
    return dict(answer.body["faults"][service])
