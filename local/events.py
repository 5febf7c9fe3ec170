"""Queues drained in the background: the event tap, and queues polled into functions.

The event tap is a local-only rule on the template's bus that sends every service event to a
local queue; tests read what was emitted from ``GET /local/events`` and validate it against the
JSON Schemas in ``events/``. The pollers do what Lambda's SQS event source mapping does for the
template's consumer functions.

An idle poller does not ask moto again and again: ``QueueBells`` wraps moto's ``Queue.add_message``
(in-process, the object moto's server uses) and rings the queue's bell, which wakes its poller at
once. Between rings a poller re-checks with a backoff up to ``IDLE_MAX_WAIT_SECONDS``, for what
no enqueue announces: a failed batch visible again after its visibility timeout, a delayed message.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from moto.sqs.models import Message, Queue

from local.resources import FULL_EVENT_TRANSFORMER, QueueConsumer
from local.template import REGION, STACK_NAME

log = logging.getLogger("local.events")

# Matches "security-info" and any "security-info.<part>" source, so a finer source name used by
# one module is still seen.
TAP_PATTERN = {"source": [{"prefix": "security-info"}]}
IDLE_FIRST_WAIT_SECONDS = 0.25
IDLE_MAX_WAIT_SECONDS = 5.0
ERROR_WAIT_SECONDS = 1.0


class Bell:
    """Rung when a message is added to one queue; a waiter notes ``rung`` before it polls, so a
    ring between its poll and its wait is not missed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.rung = 0

    def ring(self) -> None:
        with self._cond:
            self.rung += 1
            self._cond.notify_all()

    def wait(self, since: int, timeout: float) -> bool:
        """True once rung after ``since``; False when ``timeout`` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self.rung != since, timeout)


class QueueBells:
    """A bell per queue ARN, rung by moto's ``Queue.add_message`` while installed (at most one
    installed per process, like the SNS tap): send, batch send, an EventBridge or SNS target, a
    move to a dead-letter queue all end there."""

    _installed: QueueBells | None = None

    def __init__(self) -> None:
        self._bells: dict[str, Bell] = {}
        self._lock = threading.Lock()
        self._original: Callable[..., None] | None = None

    def bell(self, queue_arn: str) -> Bell:
        with self._lock:
            return self._bells.setdefault(queue_arn, Bell())

    def install(self) -> None:
        if QueueBells._installed is not None:
            raise RuntimeError("another local runtime is watching SQS in this process")
        original = Queue.add_message
        self._original = original
        bells = self

        def add_message(queue: Queue, message: Message) -> None:
            original(queue, message)
            with bells._lock:
                bell = bells._bells.get(queue.queue_arn)
            if bell is not None:
                bell.ring()

        Queue.add_message = add_message  # type: ignore[method-assign,assignment]
        QueueBells._installed = self

    def uninstall(self) -> None:
        if self._original is not None and QueueBells._installed is self:
            Queue.add_message = self._original  # type: ignore[method-assign]
            QueueBells._installed = None


class _Backoff:
    """How long an idle poller waits for its bell before it looks anyway."""

    def __init__(self) -> None:
        self.wait = IDLE_FIRST_WAIT_SECONDS

    def reset(self) -> None:
        self.wait = IDLE_FIRST_WAIT_SECONDS

    def next(self) -> float:
        wait = self.wait
        self.wait = min(self.wait * 2, IDLE_MAX_WAIT_SECONDS)
        return wait


def _poll_loop(name: str, stop: threading.Event, bell: Bell, poll: Callable[[], int]) -> None:
    backoff = _Backoff()
    while not stop.is_set():
        rung = bell.rung
        try:
            got = poll()
        except Exception:
            if not stop.is_set():
                log.exception("%s", name)
                stop.wait(ERROR_WAIT_SECONDS)
            continue
        if got:
            backoff.reset()
        elif bell.wait(rung, backoff.next()):
            backoff.reset()


class EventTap:
    def __init__(self, sqs: Any, events: Any, bus_name: str, bells: QueueBells) -> None:
        self._sqs = sqs
        self._bells = bells
        self._bell = Bell()
        self._events_client = events
        self.bus_name = bus_name
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue_url = ""

    def start(self) -> None:
        name = f"{STACK_NAME}-local-event-tap"
        self._queue_url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        self._bell = self._bells.bell(arn)
        self._events_client.put_rule(
            Name=name, EventBusName=self.bus_name, EventPattern=json.dumps(TAP_PATTERN)
        )
        self._events_client.put_targets(
            Rule=name,
            EventBusName=self.bus_name,
            Targets=[{"Id": "local-tap", "Arn": arn, "InputTransformer": FULL_EVENT_TRANSFORMER}],
        )
        self._thread = threading.Thread(target=self._run, name="local-event-tap", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._bell.ring()  # wakes the loop now rather than at its next look
        if self._thread is not None:
            self._thread.join(timeout=5)

    def events(self) -> list[dict[str, Any]]:
        """Oldest first; drains the queue first, so an event emitted before the call is in it."""
        self._drain()
        with self._lock:
            return list(self._events)

    def _run(self) -> None:
        _poll_loop("event tap", self._stop, self._bell, self._drain)

    def _drain(self) -> int:
        # One drainer at a time, so events are appended in the order the queue gave them.
        with self._lock:
            count = 0
            while True:
                messages = self._sqs.receive_message(
                    QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
                ).get("Messages", [])
                if not messages:
                    return count
                for message in messages:
                    self._events.append(json.loads(message["Body"]))
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
                    ],
                )
                count += len(messages)


class QueuePoller:
    """Lambda's SQS event source mapping for one queue and one in-process function."""

    def __init__(
        self, sqs: Any, consumer: QueueConsumer, invoke: Callable[[str, Any], Any], bells: QueueBells
    ) -> None:
        self._sqs = sqs
        self._bell = bells.bell(consumer.queue_arn)
        self.consumer = consumer
        self._invoke = invoke
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"local-poll-{consumer.function}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._bell.ring()  # wakes the loop now rather than at its next look
        self._thread.join(timeout=5)

    def _run(self) -> None:
        _poll_loop(f"polling {self.consumer.queue_url}", self._stop, self._bell, self.poll_once)

    def poll_once(self) -> int:
        c = self.consumer
        messages = self._sqs.receive_message(
            QueueUrl=c.queue_url,
            MaxNumberOfMessages=c.batch_size,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        done: list[dict[str, Any]]
        try:
            if c.kind == "eventbridge":
                for message in messages:
                    self._invoke(c.function, json.loads(message["Body"]))
                done = messages
            else:
                result = self._invoke(c.function, {"Records": [_record(c, m) for m in messages]})
                done = _succeeded(c, messages, result)
        except Exception:
            # Left in the queue: visible again after its visibility timeout, then retried or
            # moved to the dead-letter queue by the queue's redrive policy, as in AWS.
            log.error("%s failed on a batch from %s:\n%s",
                      c.function, c.queue_url, traceback.format_exc())  # fmt: skip
            return len(messages)
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=c.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                         for i, m in enumerate(done)],
            )  # fmt: skip
        return len(messages)


def _record(consumer: QueueConsumer, message: dict[str, Any]) -> dict[str, Any]:
    """One SQS record as Lambda passes it (attribute names camel-cased as Lambda does)."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": consumer.queue_arn,
        "awsRegion": REGION,
    }


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return out


def _succeeded(consumer: QueueConsumer, messages: list[dict[str, Any]], result: Any) -> list[dict[str, Any]]:
    """The messages to delete: all, unless the function reported some as failed."""
    if not consumer.report_batch_item_failures or not isinstance(result, dict):
        return messages
    failures = result.get("batchItemFailures") or []
    failed = {f.get("itemIdentifier") for f in failures if isinstance(f, dict)}
    return [m for m in messages if m["MessageId"] not in failed]
