"""The outbox's publisher (securityinfo.storage.outbox.publish) on stream records: each activity
insert becomes one PutEvents entry with its eventId; the first record that could not go out is
reported (ReportBatchItemFailures) and nothing after it is sent, so a retry from there neither skips
nor repeats."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from securityinfo.storage import outbox

LOG = logging.getLogger("test.outbox")
DETAIL = {"userId": "u1", "actor": "self", "sourceIp": None, "userAgent": None,
          "correlationId": "c", "occurredAt": "2025-03-01T12:00:00Z"}  # fmt: skip


def record(
    seq: int, *, kind: str = "activity", event: str = "INSERT", detail: Any = DETAIL
) -> dict[str, Any]:
    item = outbox.activity("u1", "UserUnlocked", DETAIL, 1_740_830_400.0 + seq, 90, seq)
    image = {
        "pk": {"S": item.pk},
        "sk": {"S": item.sk},
        "kind": {"S": kind},
        "activity_id": {"S": item.activity_id},
        "detail_type": {"S": "UserUnlocked"},
        "detail": {"S": detail if isinstance(detail, str) else json.dumps(detail)},
        "occurred_at": {"N": str(item.occurred_at)},
    }
    return {"eventName": event, "dynamodb": {"SequenceNumber": f"{seq:05d}", "NewImage": image}}


class Bus:
    def __init__(self, fail_calls: int = 0, fail_entry: int | None = None) -> None:
        self.fail_calls = fail_calls
        self.fail_entry = fail_entry
        self.calls: list[list[dict[str, Any]]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.calls.append(Entries)
        if self.fail_calls:
            self.fail_calls -= 1
            raise RuntimeError("throttled")
        out = [{"EventId": f"e{i}"} for i in range(len(Entries))]
        if self.fail_entry is not None and self.fail_entry < len(out):
            out[self.fail_entry] = {"ErrorCode": "ThrottlingException"}
        return {"FailedEntryCount": int(self.fail_entry is not None), "Entries": out}


def test_each_activity_insert_becomes_one_entry_with_its_event_id() -> None:
    bus = Bus()
    records = [record(i) for i in range(12)]
    assert outbox.publish(bus, "b", records, LOG) == {"batchItemFailures": []}
    assert [len(c) for c in bus.calls] == [10, 2]  # PutEvents takes 10 entries at most
    sent = [e for c in bus.calls for e in c]
    ids = [r["dynamodb"]["NewImage"]["activity_id"]["S"] for r in records]
    assert [json.loads(e["Detail"])["eventId"] for e in sent] == ids
    assert {e["DetailType"] for e in sent} == {"UserUnlocked"} and {e["Source"] for e in sent} == {
        "security-info"
    }


def test_other_records_are_not_published() -> None:
    bus = Bus()
    records = [record(1, kind="profile"), record(2, event="MODIFY"), record(3, event="REMOVE")]
    assert outbox.publish(bus, "b", records, LOG) == {"batchItemFailures": []}
    assert bus.calls == []


def test_a_throttled_call_reports_the_first_record_and_sends_nothing_after_it() -> None:
    bus = Bus(fail_calls=1)
    records = [record(i) for i in range(15)]
    assert outbox.publish(bus, "b", records, LOG) == {"batchItemFailures": [{"itemIdentifier": "00000"}]}
    assert len(bus.calls) == 1


def test_a_refused_entry_is_reported_and_later_chunks_wait() -> None:
    bus = Bus(fail_entry=3)
    records = [record(i) for i in range(15)]
    assert outbox.publish(bus, "b", records, LOG) == {"batchItemFailures": [{"itemIdentifier": "00003"}]}
    assert len(bus.calls) == 1


@pytest.mark.parametrize("detail", ["not json", "[1, 2]"])
def test_a_malformed_item_fails_after_the_good_ones_before_it(detail: str) -> None:
    bus = Bus()
    records = [record(0), record(1), record(2, detail=detail), record(3)]
    assert outbox.publish(bus, "b", records, LOG) == {"batchItemFailures": [{"itemIdentifier": "00002"}]}
    assert [len(c) for c in bus.calls] == [2]


def test_activity_ids_sort_by_time_then_position_and_keep_for_the_days_given() -> None:
    first = outbox.activity("u1", "UserUnlocked", DETAIL, 1_740_830_400.0, 90, 0)
    second = outbox.activity("u1", "UserUnlocked", DETAIL, 1_740_830_400.0, 90, 1)
    later = outbox.activity("u1", "UserUnlocked", DETAIL, 1_740_830_400.5, 90, 0)
    assert first.sk < second.sk < later.sk
    assert all(outbox.ACTIVITY_ID.fullmatch(a.activity_id) for a in (first, second, later))
    assert first.expires_at == 1_740_830_400.0 + 90 * 86400 and first.ttl is not None
    assert first.ttl >= first.expires_at
    assert outbox.oldest_kept_sk(first.occurred_at + 90 * 86400, 90) <= first.sk
    assert outbox.oldest_kept_sk(first.occurred_at + 90 * 86400 + 1, 90) > first.sk
    policy = outbox.activity(None, "PolicyChanged", DETAIL, 1_740_830_400.0, 90)
    assert policy.pk == "ORG#ACTIVITY"
