"""Queues drained in the background: the event tap, and queues polled into functions.

The event tap is a local-only rule on the template's bus that sends every service event to a
local queue; tests read what was emitted from ``GET /local/events`` and validate it against the
JSON Schemas in ``events/``. The pollers do what Lambda's SQS event source mapping does for the
template's consumer functions.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from local.resources import FULL_EVENT_TRANSFORMER, QueueConsumer
from local.template import REGION, STACK_NAME

log = logging.getLogger("local.events")

# Matches "security-info" and any "security-info.<part>" source, so a finer source name used by
# one module is still seen.
TAP_PATTERN = {"source": [{"prefix": "security-info"}]}
IDLE_SLEEP_SECONDS = 0.1


class EventTap:
    def __init__(self, sqs: Any, events: Any, bus_name: str) -> None:
        self._sqs = sqs
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
        if self._thread is not None:
            self._thread.join(timeout=5)

    def events(self) -> list[dict[str, Any]]:
        """Oldest first; drains the queue first, so an event emitted before the call is in it."""
        self._drain()
        with self._lock:
            return list(self._events)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self._drain():
                    self._stop.wait(IDLE_SLEEP_SECONDS)
            except Exception:
                if not self._stop.is_set():
                    log.exception("event tap")
                    self._stop.wait(1)

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

    def __init__(self, sqs: Any, consumer: QueueConsumer, invoke: Callable[[str, Any], Any]) -> None:
        self._sqs = sqs
        self.consumer = consumer
        self._invoke = invoke
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"local-poll-{consumer.function}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.poll_once():
                    self._stop.wait(IDLE_SLEEP_SECONDS)
            except Exception:
                if not self._stop.is_set():
                    log.exception("polling %s", self.consumer.queue_url)
                    self._stop.wait(1)

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
