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
    mine = user_pk(user.user_id)
    _write(user.user_id)
    _idle(poller)
    assert list(poller.delivered_partitions).count(mine) == 1
    profile = ProfileItem(mine, "PROFILE")
    profile.update(actions=[ProfileItem.kind.set(ProfileItem), ProfileItem.failed_count.add(1)])
    item = ActivityItem.get(mine, f"ACT#{_write(user.user_id)[0]}")
    item.update(actions=[ActivityItem.reported_at.set(time.time())])  # a MODIFY: not published again
    _idle(poller)
    # Only the second insert went to the publisher: not the profile's change, not the MODIFY. Other
    # tests' records may reach it meanwhile, so only this user's partition is counted.
    assert list(poller.delivered_partitions).count(mine) == 2


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


# --- request paths write their events in the change's own transaction -------------------------------


def test_registrations_removals_and_verifications_survive_throttled_put_events_exactly_once(
    api: Api,
) -> None:
    """PutEvents fails for a while during the changes: every change's event still reaches the bus,
    once (by eventId), and the change notice goes out once."""
    from tests.support_codes import add_phone, new_number, step_up_by_phone

    user = api.user()
    mobile = new_number()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    before = {e["detail"].get("eventId") for e in api.events()}
    fail_next(api, "events", 8)
    try:
        app, secret = user.add_totp("Outage app")  # MethodRegistered (a notice to the phone)
        assert user.verify("mfa", secret, app["id"]).status == 200  # VerificationSucceeded
        assert user.call("DELETE", f"/me/methods/{app['id']}").status == 204  # MethodRemoved (a notice)
    finally:
        state = api.call("GET", "/local/faults").body["faults"]["events"]
    deadline = time.monotonic() + 60
    while True:
        mine = [e for e in api.events() if e["detail"]["userId"] == user.user_id]
        new = [e for e in mine if e["detail"].get("eventId") not in before]
        kinds = [e["detail-type"] for e in new]
        if {"MethodRegistered", "VerificationSucceeded", "MethodRemoved"} <= set(
            kinds
        ) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    fail_next(api, "events", 0)
    assert state["failed"] > 0, "PutEvents never failed: the test proved nothing"
    ids = [e["detail"]["eventId"] for e in new]
    assert len(ids) == len(set(ids)), "an event reached the bus twice"
    assert kinds.count("MethodRegistered") == 1 and kinds.count("MethodRemoved") == 1
    assert kinds.count("VerificationSucceeded") >= 1
    time.sleep(1.5)  # a second notice, if any, would show up by now
    notices = [m for m in api.call("GET", f"/local/outbox?to={mobile}").body["messages"]
               if "If this wasn't you" in m["body"]]  # fmt: skip
    assert sum("was added" in m["body"] for m in notices) == 1
    assert sum("was removed" in m["body"] for m in notices) == 1


def test_a_change_that_fails_writes_no_event_and_its_event_is_in_its_transaction(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No window between the write and the publish: a removal whose TransactWriteItems fails leaves
    the method and no event; the one that succeeds carries its MethodRemoved item in that same
    TransactWriteItems, so a crash after it cannot lose the event."""
    from pynamodb.connection.base import Connection

    user = api.user()
    app, secret = user.add_totp()
    user.step_up(secret)
    sent: list[str] = []
    original = Connection.transact_write_items

    def failing(self: Connection, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the table is unreachable")

    def spy(self: Connection, *args: Any, **kwargs: Any) -> Any:
        sent.append(json.dumps(kwargs, default=str))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "transact_write_items", failing)
    assert user.call("DELETE", f"/me/methods/{app['id']}").status == 500
    monkeypatch.setattr(Connection, "transact_write_items", spy)
    assert [m["id"] for m in user.info()["methods"]] == [app["id"]]
    assert user.call("DELETE", f"/me/methods/{app['id']}").status == 204
    monkeypatch.undo()
    [removal] = [t for t in sent if app["id"] in t and "MethodRemoved" in t]
    assert '"delete_items": [{' in removal and '"put_items": [{' in removal  # the delete, the event's put
    items = list(ActivityItem.query(user_pk(user.user_id), ActivityItem.sk.startswith("ACT#")))
    assert [i.detail_type for i in items].count("MethodRemoved") == 1
    wait_for(api, {i.activity_id for i in items if i.detail_type == "MethodRemoved"})
