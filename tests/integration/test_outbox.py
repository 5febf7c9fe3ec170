"""The outbox's path in the local runtime (docs/RULES.md): activity items written to the table reach the
bus through the table's stream and the publisher, as the template's event source mapping runs it,
also while PutEvents is throttled for a while (``POST /local/faults``)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pynamodb.transactions import TransactWrite

from securityinfo.kernel.config import settings
from securityinfo.storage import outbox
from securityinfo.storage.models import ActivityItem, ProfileItem, bind, user_pk
from tests.support_api import Api
from tests.support_outbox import fail_next, wait_for

DETAIL = {"actor": "admin:test", "sourceIp": None, "userAgent": None, "correlationId": "c-outbox",
          "occurredAt": "2025-03-01T12:00:00Z", "previouslyLockedUntil": None}  # fmt: skip


def _write(user_id: str, count: int = 1) -> list[str]:
    """One transaction with ``count`` UserUnlocked events; returns their ids."""
    items = [
        outbox.activity(user_id, "UserUnlocked", {"userId": user_id, **DETAIL}, time.time(), 90, i)
        for i in range(count)
    ]
    with TransactWrite(connection=bind(settings())) as tw:
        for item in items:
            tw.save(item)
    return [i.activity_id for i in items]


def test_activity_items_reach_the_bus_once_each_with_their_event_id(api: Api) -> None:
    user = api.user()
    ids = _write(user.user_id, 3)
    assert wait_for(api, set(ids)) == dict.fromkeys(ids, 1)
    on_bus = [e for e in api.events() if e["detail"].get("eventId") in ids]
    assert {e["detail-type"] for e in on_bus} == {"UserUnlocked"}
    assert all(e["detail"]["userId"] == user.user_id for e in on_bus)


def test_put_events_throttled_for_a_while_then_every_event_arrives_exactly_once(api: Api) -> None:
    user = api.user()
    assert fail_next(api, "events", 6)["failNext"] == 6
    ids = [i for _ in range(5) for i in _write(user.user_id)]
    try:
        counts = wait_for(api, set(ids))
        state = api.call("GET", "/local/faults").body["faults"]["events"]
    finally:
        fail_next(api, "events", 0)
    assert state["failNext"] == 0, "the fault did not hit the publisher"
    assert counts == dict.fromkeys(ids, 1)


def test_only_activity_inserts_invoke_the_publisher(api: Api, runtime: Any) -> None:
    [poller] = runtime.stream_pollers
    user = api.user()
    _write(user.user_id)
    _idle(poller)
    before = poller.invocations
    profile = ProfileItem(user_pk(user.user_id), "PROFILE")
    profile.update(actions=[ProfileItem.kind.set(ProfileItem), ProfileItem.failed_count.add(1)])
    item = ActivityItem.get(user_pk(user.user_id), f"ACT#{_write(user.user_id)[0]}")
    item.update(actions=[ActivityItem.reported_at.set(time.time())])  # a MODIFY: not published again
    _idle(poller)
    assert poller.invocations == before + 1


def _idle(poller: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    time.sleep(0.1)
    while not poller.idle.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "s3", "failNext": 1}, "service"),
        ({"service": "events", "failNext": -1}, "failNext"),
        ({"service": "events", "failNext": True}, "failNext"),
        ({"service": "events"}, "failNext"),
        ({"service": "events", "failNext": 1, "extra": 1}, None),
    ],
)
def test_faults_input_is_checked(api: Api, body: dict[str, Any], field: str | None) -> None:
    answer = api.call("POST", "/local/faults", body)
    assert answer.status == 400, answer.body
    if field:
        assert answer.body["error"]["field"] == field


@pytest.mark.slow
def test_a_batch_that_exhausts_its_retries_is_described_in_the_on_failure_queue(
    api: Api, runtime: Any
) -> None:
    [poller] = runtime.stream_pollers
    queue_url = poller.consumer.on_failure_queue_url
    assert queue_url, "the template's mapping names an on-failure queue"
    given_up = poller.given_up
    fail_next(api, "events", 1000)
    try:
        owner = api.user().user_id
        [lost] = _write(owner)
        deadline = time.monotonic() + 60
        while poller.given_up == given_up and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        fail_next(api, "events", 0)
    assert poller.given_up == given_up + 1
    import boto3

    sqs = boto3.client("sqs", endpoint_url=runtime.moto_endpoint)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    infos = [json.loads(m["Body"]) for m in messages]
    assert any(i["requestContext"]["condition"] == "RetryAttemptsExhausted" for i in infos)
    assert all("NewImage" not in json.dumps(i) for i in infos)  # the batch's position, not its items
    # The event was never published, but its item is still in the table (to republish).
    assert ActivityItem.get(user_pk(owner), f"ACT#{lost}").detail_type == "UserUnlocked"
