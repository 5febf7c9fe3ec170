"""Lambda's DynamoDB stream event source mapping, run against moto's stream (the outbox's path).

moto records every write of a table with a ``StreamSpecification`` and serves it through the
DynamoDB Streams API, but invokes nothing. A ``StreamPoller`` reads the shard in order and hands the
template's function its batches as Lambda would, with the mapping's own settings:

* ``FilterCriteria``: a record that matches no filter is consumed without invoking the function;
* ``BatchSize``; ``ReportBatchItemFailures``: the shard resumes at the lowest reported sequence
  number (records before it are done; an unknown or empty identifier fails the whole batch);
* a function error retries the batch, halved first when ``BisectBatchOnFunctionError`` is on;
* after ``MaximumRetryAttempts`` retries the failed records are described in the ``OnFailure``
  queue (the records themselves are not in the message, as in AWS) and the shard moves on.

Retries wait a little (doubling up to a second) so a fault lasts a few calls, not a busy loop.
An idle poller waits on ``StreamBell``, rung by moto's ``StreamShard.add`` (in-process), instead of
asking moto every few milliseconds; it still looks once a second for anything no write announced.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.events.models import EventPattern

from local.resources import StreamConsumer
from local.template import REGION

log = logging.getLogger("local.streams")

IDLE_WAIT_SECONDS = 1.0
SETTLE_WAIT_SECONDS = 0.01
# moto keeps every shard iterator it ever handed out; a poller asks for one per read.
KEPT_ITERATORS = 256


class StreamBell:
    """Rung by moto's ``StreamShard.add`` while installed: a write reached a table's stream."""

    _installed: StreamBell | None = None

    def __init__(self) -> None:
        from local.events import Bell

        self.bell = Bell()
        self._originals: list[tuple[Any, str, Any]] = []

    def install(self) -> None:
        from moto.dynamodb.models.table import StreamShard
        from moto.dynamodbstreams.models import DynamoDBStreamsBackend

        if StreamBell._installed is not None:
            raise RuntimeError("another local runtime is watching DynamoDB streams in this process")
        add, get_records, bell = StreamShard.add, DynamoDBStreamsBackend.get_records, self.bell

        def ringing_add(shard: Any, old: Any, new: Any) -> None:
            add(shard, old, new)
            bell.ring()

        def bounded_get_records(backend: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
            answer: dict[str, Any] = get_records(backend, iterator_arn, limit)
            iterators = backend.shard_iterators
            for arn in list(iterators)[: max(0, len(iterators) - KEPT_ITERATORS)]:
                del iterators[arn]  # the oldest first: dicts keep insertion order
            return answer

        self._originals = [(StreamShard, "add", add), (DynamoDBStreamsBackend, "get_records", get_records)]
        StreamShard.add = ringing_add  # type: ignore[method-assign,assignment]
        DynamoDBStreamsBackend.get_records = bounded_get_records  # type: ignore[method-assign,assignment]
        StreamBell._installed = self

    def uninstall(self) -> None:
        if StreamBell._installed is self:
            for owner, name, original in self._originals:
                setattr(owner, name, original)
            StreamBell._installed = None


FIRST_BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 1.0


class StreamPoller:
    def __init__(
        self,
        streams: Any,
        sqs: Any,
        consumer: StreamConsumer,
        invoke: Callable[[str, Any], Any],
        bell: StreamBell | None = None,
    ):
        self._bell = bell.bell if bell is not None else None
        self._settlers = 0
        self._streams = streams
        self._sqs = sqs
        self.consumer = consumer
        self._invoke = invoke
        self._patterns = [EventPattern.load(p) for p in consumer.filters]
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"local-stream-{consumer.function}", daemon=True
        )
        self._iterator: str | None = None
        self._shard_id = ""
        self._last_sequence: str | None = None
        self._pending: list[dict[str, Any]] = []
        # What happened, for tests and the bench: invocations, failed invocations, records given up.
        self.invocations = 0
        self.failed_invocations = 0
        self.given_up = 0
        # The partition key of each record handed to the function (the latest ones), so a test can
        # count its own user's records whatever other tests write meanwhile.
        self.delivered_partitions: deque[str] = deque(maxlen=20_000)
        self.idle = threading.Event()
        self._cycles = 0
        self._cycle_done = threading.Condition()

    def start(self) -> None:
        description = self._streams.describe_stream(StreamArn=self.consumer.stream_arn)["StreamDescription"]
        self._shard_id = description["Shards"][0]["ShardId"]
        self._iterator = self._streams.get_shard_iterator(
            StreamArn=self.consumer.stream_arn,
            ShardId=self._shard_id,
            ShardIteratorType=self.consumer.starting_position,
        )["ShardIterator"]
        self._thread.start()

    def _next_iterator(self) -> str | None:
        """An iterator after the last record read, asked for afresh on every read: moto replaces the
        table (and its stream shard) when it rolls back a cancelled transaction, so an old iterator
        would keep reading the abandoned shard."""
        if self._last_sequence is None:
            return self._iterator
        return str(
            self._streams.get_shard_iterator(
                StreamArn=self.consumer.stream_arn,
                ShardId=self._shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=self._last_sequence,
            )["ShardIterator"]
        )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def settle(self, timeout: float = 15.0) -> bool:
        """Wait until every record written before the call has been delivered (or given up on):
        two whole read cycles that began after it. False when the timeout came first (a fault)."""
        with self._cycle_done:
            target = self._cycles + 2
            self._settlers += 1
        if self._bell is not None:
            self._bell.ring()  # wake an idle poller now rather than at its next look
        try:
            with self._cycle_done:
                return self._cycle_done.wait_for(lambda: self._cycles >= target, timeout)
        finally:
            with self._cycle_done:
                self._settlers -= 1

    def _idle_wait(self, rung: int) -> None:
        if self._settlers or self._bell is None:
            self._stop.wait(SETTLE_WAIT_SECONDS)
        else:
            self._bell.wait(rung, IDLE_WAIT_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            rung = self._bell.rung if self._bell is not None else 0
            try:
                if not self.poll_once():
                    self.idle.set()
                    self._idle_wait(rung)
            except Exception:
                if not self._stop.is_set():
                    log.exception("reading %s", self.consumer.stream_arn)
                    self._stop.wait(1)
            with self._cycle_done:
                self._cycles += 1
                self._cycle_done.notify_all()

    def poll_once(self) -> int:
        """Fetch what is new and deliver it all (retrying as configured); returns records handled."""
        if not self._pending:
            answer = self._streams.get_records(ShardIterator=self._next_iterator(), Limit=1000)
            if answer["Records"]:
                self._last_sequence = str(answer["Records"][-1]["dynamodb"]["SequenceNumber"])
            self._pending = [
                r for r in (_lambda_record(self.consumer, r) for r in answer["Records"]) if self._wanted(r)
            ]
        if not self._pending:
            return 0
        self.idle.clear()
        handled = len(self._pending)
        self._deliver_pending()
        return handled

    def _wanted(self, record: dict[str, Any]) -> bool:
        return not self._patterns or any(p.matches_event(record) for p in self._patterns)  # type: ignore[arg-type]

    def _deliver_pending(self) -> None:
        c = self.consumer
        size, attempts = c.batch_size, 0
        while self._pending and not self._stop.is_set():
            batch = self._pending[:size]
            failed_at, function_error = self._invoke_batch(batch)
            if failed_at is None:
                del self._pending[: len(batch)]
                size, attempts = c.batch_size, 0
                continue
            del self._pending[:failed_at]  # the records before the reported one are done
            failed = batch[failed_at:]
            attempts += 1
            if 0 <= c.maximum_retry_attempts < attempts:
                self._give_up(failed, attempts)
                del self._pending[: len(failed)]
                size, attempts = c.batch_size, 0
                continue
            if function_error and c.bisect_on_error and len(failed) > 1:
                size = max(1, (len(failed) + 1) // 2)
            self._stop.wait(min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (attempts - 1)))

    def _invoke_batch(self, batch: list[dict[str, Any]]) -> tuple[int | None, bool]:
        """(index of the first record to retry or None, whether the function raised)."""
        self.invocations += 1
        self.delivered_partitions.extend(_partition_of(r) for r in batch)
        try:
            result = self._invoke(self.consumer.function, {"Records": batch})
        except Exception:
            self.failed_invocations += 1
            log.warning("%s failed on a batch of %d stream records:\n%s",
                        self.consumer.function, len(batch), traceback.format_exc(limit=3))  # fmt: skip
            return 0, True
        if not self.consumer.report_batch_item_failures or not isinstance(result, dict):
            return None, False
        failures = result.get("batchItemFailures") or []
        if not failures:
            return None, False
        self.failed_invocations += 1
        positions = {r["dynamodb"]["SequenceNumber"]: i for i, r in enumerate(batch)}
        found = [
            positions.get(str(f.get("itemIdentifier") or "")) if isinstance(f, dict) else None
            for f in failures
        ]
        if any(i is None for i in found):
            return 0, False  # an identifier that is not in the batch: the whole batch failed
        return min(i for i in found if i is not None), False

    def _give_up(self, records: list[dict[str, Any]], attempts: int) -> None:
        self.given_up += len(records)
        log.error("%s: %d stream records exhausted their retries", self.consumer.function, len(records))
        if self.consumer.on_failure_queue_url is None:
            return
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        body = {
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
                "functionArn": self.consumer.function,
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": "local",
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(records),
                "streamArn": self.consumer.stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=self.consumer.on_failure_queue_url, MessageBody=json.dumps(body))


def _lambda_record(consumer: StreamConsumer, record: dict[str, Any]) -> dict[str, Any]:
    """A record as Lambda hands it to the function: JSON, binary values base64, times in seconds."""
    change = dict(record.get("dynamodb") or {})
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    elif created is None:
        change["ApproximateCreationDateTime"] = time.time()
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": _json_safe(change),
        "eventSourceARN": consumer.stream_arn,
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_json_safe(v) for v in value]
    return value


def _partition_of(record: dict[str, Any]) -> str:
    keys = record.get("dynamodb", {}).get("Keys", {})
    value = keys.get("pk", {})
    return str(value.get("S", "")) if isinstance(value, dict) else ""
