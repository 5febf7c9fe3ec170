"""The outbox's path in the local runtime (in this process): the delay from a committed change to
its event on the bus, and the publisher's AWS calls per batch.

A change's event id starts with the service clock's milliseconds at the commit (``storage.outbox``):
the delay is from then until the local event tap holds the event (stream read -> publisher ->
PutEvents -> the tap's queue). Timings depend on the local poll interval (30 ms idle) and the
machine; the call counts are what carries over to AWS.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass
class OutboxFigures:
    events: int
    p50_ms: float
    p99_ms: float
    invocations: int
    put_events_calls: int
    records: int


def measure(changes: int = 60) -> OutboxFigures:
    from moto.events.models import EventsBackend

    from local.runtime import start_runtime
    from tests.support_api import Api

    runtime = start_runtime(0, REPO)
    calls = {"put_events": 0, "entries": 0}
    original = EventsBackend.put_events

    def counted(backend: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        calls["put_events"] += 1
        calls["entries"] += len(events)
        return original(backend, events)

    try:
        api = Api(runtime.url)
        user = api.user()
        method, secret = user.add_totp()
        user.step_up(secret)  # a rename needs a recent step-up
        tap = runtime.event_tap
        if tap is None:
            raise RuntimeError("the template has no event bus")
        [poller] = runtime.stream_pollers
        poller.settle()
        EventsBackend.put_events = counted  # type: ignore[assignment]
        invocations = poller.invocations
        delays: list[float] = []
        for i in range(changes):
            # One rename per commit (MethodUpdated); then wait for its event on the bus.
            renamed = user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": f"App {i}"})
            if renamed.status != 200:
                raise RuntimeError(f"rename answered {renamed.status}")
            seen = len(tap.events())
            while True:
                found = tap.events()[max(0, seen - 1) :]
                hit = next(
                    (e for e in found if e["detail"].get("after", {}).get("displayName") == f"App {i}"), None
                )
                if hit is not None:
                    committed_ms = int(hit["detail"]["eventId"][:13])
                    delays.append(time.time() * 1000 - committed_ms)
                    break
                time.sleep(0.002)
        poller.settle()
        quantiles = statistics.quantiles(delays, n=100)
        return OutboxFigures(
            events=len(delays),
            p50_ms=statistics.median(delays),
            p99_ms=quantiles[98],
            invocations=poller.invocations - invocations,
            put_events_calls=calls["put_events"],
            records=calls["entries"],
        )
    finally:
        EventsBackend.put_events = original  # type: ignore[method-assign]
        runtime.stop()
