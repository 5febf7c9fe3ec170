"""The outbox (docs/RULES.md): events are items, written in the same transaction as their change, and a
publisher puts them on the bus from the table's stream.

Writing: ``activity(...)`` builds the item for one event; the transaction saves it with the change,
so if the change is committed its event exists and if the change fails no event does. Publishing:
``publish(...)`` takes a batch of stream records (only activity INSERTs reach it: the event source
mapping filters) and puts each on the bus as its detail type and detail plus ``eventId`` (the item's
id, the same on every redelivery, so consumers can be idempotent on it).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from securityinfo.kernel.context import Deps
from securityinfo.kernel.events import SOURCE
from securityinfo.storage.models import (
    ACTIVITY_KIND,
    ACTIVITY_PREFIX,
    POLICY_ACTIVITY_PK,
    ActivityItem,
    activity_sk,
    user_pk,
)
from securityinfo.storage.store import Transaction

DAY_SECONDS = 86400
# <ms since the epoch, 13 digits><position in its transaction, 2 digits><64 random bits, hex>: ids
# sort by time, so the sort key orders a partition's activity, and the key follows from the id.
ACTIVITY_ID = re.compile(r"[0-9]{15}[0-9a-f]{16}")
# PutEvents takes at most 10 entries per call.
PUT_EVENTS_MAX = 10


def new_activity_id(now: float, position: int = 0) -> str:
    return f"{int(now * 1000):013d}{position % 100:02d}{secrets.token_hex(8)}"


def activity(
    user_id: str | None,
    detail_type: str,
    detail: Mapping[str, Any],
    now: float,
    keep_days: int,
    position: int = 0,
) -> ActivityItem:
    """The item of one event: in the user's partition, or (``user_id`` None: a policy change) in the
    organization's activity partition. ``position`` orders the events of one transaction."""
    activity_id = new_activity_id(now, position)
    expires_at = now + keep_days * DAY_SECONDS
    return ActivityItem(
        user_pk(user_id) if user_id is not None else POLICY_ACTIVITY_PK,
        activity_sk(activity_id),
        activity_id=activity_id,
        detail_type=detail_type,
        detail=json.dumps(dict(detail), separators=(",", ":")),
        occurred_at=now,
        expires_at=expires_at,
        ttl=int(expires_at) + DAY_SECONDS,
    )


class Change(Transaction):
    """A transaction that carries the events of its change: ``emit`` adds each event's activity item
    to the same TransactWriteItems, so the change and its events commit together or not at all.
    This is the only way an event is written: no request path talks to the bus."""

    def __init__(self, deps: Deps) -> None:
        super().__init__(connection=deps.connection)
        self._deps = deps
        self._keep_days: int | None = None
        self.emitted: list[ActivityItem] = []

    def emit(
        self, detail_type: str, detail: Mapping[str, Any], *, organization: bool = False
    ) -> ActivityItem:
        """Write one event with this change: in the detail's user's partition, or for an
        organization-wide change (the policy) in the organization's activity partition."""
        if self._keep_days is None:
            self._keep_days = self._deps.activity_days()
        user_id = None if organization else str(detail["userId"])
        item = activity(
            user_id, detail_type, detail, self._deps.clock.now(), self._keep_days, len(self.emitted)
        )
        self.save(item)
        self.emitted.append(item)
        return item


def record(deps: Deps, detail_type: str, detail: Mapping[str, Any], *, organization: bool = False) -> None:
    """An event that is the whole change (an outcome that changes nothing else): written alone."""
    with Change(deps) as tw:
        tw.emit(detail_type, detail, organization=organization)


def oldest_kept_sk(now: float, keep_days: int) -> str:
    """The lowest sort key still inside the retention: reads start there, whatever TTL has removed."""
    return f"{ACTIVITY_PREFIX}{int((now - keep_days * DAY_SECONDS) * 1000):013d}"


# Above every activity id (they start with digits), so the key range is "every kept activity".
_NEWEST_SK = f"{ACTIVITY_PREFIX}~"


def kept(item: ActivityItem, now: float, keep_days: int) -> bool:
    """Still inside the retention at read time (TTL only cleans up, days late)."""
    return item.occurred_at > now - keep_days * DAY_SECONDS


def page(
    user_id: str, now: float, keep_days: int, limit: int, after: str | None = None
) -> tuple[list[ActivityItem], bool]:
    """One page of the user's kept activity, newest first, after the activity id ``after``: ONE
    Query (ScanIndexForward false, from the newest key down to the retention's edge). It asks for
    one item more than the page, so "is there more" needs no second, empty page."""
    oldest = oldest_kept_sk(now, keep_days)
    if after is not None and activity_sk(after) <= oldest:
        # The page ended at the retention's edge, which has moved past it since: nothing older is
        # kept (and DynamoDB refuses a start key outside the key condition).
        return [], False
    start = {"pk": {"S": user_pk(user_id)}, "sk": {"S": activity_sk(after)}} if after else None
    found = ActivityItem.query(
        user_pk(user_id),
        ActivityItem.sk.between(oldest, _NEWEST_SK),
        scan_index_forward=False,
        limit=limit + 1,
        last_evaluated_key=start,
        consistent_read=True,
    )
    items = [i for i in found if kept(i, now, keep_days)]
    return items[:limit], len(items) > limit


def get_kept(user_id: str, activity_id: str, now: float, keep_days: int) -> ActivityItem | None:
    """The user's own activity item by id, if it is still kept; None for another user's or unknown."""
    if not ACTIVITY_ID.fullmatch(activity_id or ""):
        return None
    try:
        item = ActivityItem.get(user_pk(user_id), activity_sk(activity_id), consistent_read=True)
    except ActivityItem.DoesNotExist:
        return None
    return item if kept(item, now, keep_days) else None


# --- publishing -----------------------------------------------------------------------------------


class StreamEvent(NamedTuple):
    sequence_number: str
    entry: dict[str, Any] | None  # None: the record is not a well-formed activity item


def _string(image: Mapping[str, Any], name: str) -> str | None:
    value = image.get(name)
    return value.get("S") if isinstance(value, dict) and isinstance(value.get("S"), str) else None


def _number(image: Mapping[str, Any], name: str) -> float | None:
    value = image.get(name)
    try:
        return float(value["N"]) if isinstance(value, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


def from_record(record: Mapping[str, Any], bus_name: str) -> StreamEvent | None:
    """One stream record as a PutEvents entry; None for records that are not activity inserts."""
    change = record.get("dynamodb") or {}
    sequence = str(change.get("SequenceNumber") or "")
    image = change.get("NewImage") or {}
    if record.get("eventName") != "INSERT" or _string(image, "kind") != ACTIVITY_KIND:
        return None
    activity_id = _string(image, "activity_id")
    detail_type = _string(image, "detail_type")
    occurred_at = _number(image, "occurred_at")
    try:
        detail = json.loads(_string(image, "detail") or "")
    except ValueError:
        detail = None
    if not (activity_id and detail_type and isinstance(detail, dict) and occurred_at is not None):
        return StreamEvent(sequence, None)
    return StreamEvent(
        sequence,
        {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps({**detail, "eventId": activity_id}),
            "EventBusName": bus_name,
            "Time": datetime.fromtimestamp(occurred_at, tz=UTC),
        },
    )


def publish(client: Any, bus_name: str, records: list[dict[str, Any]], logger: Any) -> dict[str, Any]:
    """Put a batch of stream records on the bus, in order. Stops at the first record that could not
    be published and reports it (ReportBatchItemFailures): Lambda retries the shard from there, so
    nothing after it is sent twice by this invocation, and nothing is skipped."""
    events: list[StreamEvent] = []
    for record in records:
        event = from_record(record, bus_name)
        if event is not None:
            events.append(event)
    for start in range(0, len(events), PUT_EVENTS_MAX):
        chunk = events[start : start + PUT_EVENTS_MAX]
        bad = next((e for e in chunk if e.entry is None), None)
        if bad is not None:
            # A malformed item can never be published: it goes to the on-failure destination after
            # the retries (bisecting isolates it), where an operator sees it.
            logger.error("activity_record_malformed", extra={"sequenceNumber": bad.sequence_number})
            good = chunk[: chunk.index(bad)]
            failed = _put(client, good, logger)
            return _failure(failed or bad)
        failed = _put(client, chunk, logger)
        if failed is not None:
            return _failure(failed)
    return {"batchItemFailures": []}


def _put(client: Any, chunk: list[StreamEvent], logger: Any) -> StreamEvent | None:
    """The first event of the chunk that is not on the bus, or None when all are."""
    if not chunk:
        return None
    try:
        answer = client.put_events(Entries=[e.entry for e in chunk])
    except Exception as exc:  # throttled or unreachable: the whole chunk is retried
        error = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        logger.warning("events_not_published", extra={"count": len(chunk), "errorType": error})
        return chunk[0]
    results = answer.get("Entries") or []
    for event, result in zip(chunk, results, strict=False):
        if result.get("ErrorCode") or not result.get("EventId"):
            logger.warning("event_not_published", extra={"errorType": result.get("ErrorCode")})
            return event
    if len(results) < len(chunk):
        return chunk[len(results)]
    return None


def _failure(event: StreamEvent) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": event.sequence_number}]}
