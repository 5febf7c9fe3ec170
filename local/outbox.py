"""What SNS would have delivered: the outbox a person reads codes from, and SNS -> function delivery.

moto stores SMS publishes and topic messages but not when they were sent, and cannot run a
subscribed function. So the runtime wraps moto's ``SNSBackend.publish`` (in-process, the same
object the emulator's server calls) and, after moto accepted a message:

* ``Publish(PhoneNumber=...)``: an SMS to that number;
* ``Publish(TargetArn=<platform endpoint>)``: a push to the device's token;
* a topic message with attributes ``channel`` and ``to``: that delivery (the delivery code's
  convention for voice and email), and any ``sms``/``email`` subscription whose filter matches;
* a topic subscribed by a template function: the function is invoked with an SNS event,
  asynchronously, like SNS invoking Lambda.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.sns.models import SNSBackend
from moto.sns.utils import FilterPolicyMatcher

from local.clock import LocalClock
from local.faults import Faults
from local.resources import TopicConsumer

log = logging.getLogger("local.outbox")

CHANNELS = ("sms", "voice", "email", "push")


@dataclass(frozen=True)
class Message:
    channel: str
    to: str
    body: str
    sent_at: str
    subject: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"channel": self.channel, "to": self.to, "body": self.body, "sentAt": self.sent_at}
        if self.subject:
            out["subject"] = self.subject
        return out


class Outbox:
    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._lock = threading.Lock()

    def add(self, message: Message) -> None:
        with self._lock:
            self._messages.append(message)
        # Never the full number or address, even in the local runtime's own log.
        log.info("outbox: %s to ...%s", message.channel, message.to[-2:])

    def messages(self, to: str | None = None) -> list[Message]:
        """Newest first, optionally only those to one address."""
        with self._lock:
            found = list(reversed(self._messages))
        return [m for m in found if to is None or m.to == to]


class SnsTap:
    """Wraps moto's SNS publish while installed; at most one tap per process."""

    _installed: SnsTap | None = None

    def __init__(
        self,
        outbox: Outbox,
        clock: LocalClock,
        consumers: list[TopicConsumer],
        invoke: Callable[[str, Any], Any],
    ) -> None:
        self.outbox = outbox
        self.clock = clock
        self.consumers = consumers
        self.invoke = invoke
        self._original: Callable[..., str] | None = None
        self.faults: Faults | None = None
        self._signature: inspect.Signature | None = None
        # SNS invokes subscribed functions asynchronously; so does this pool.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="local-sns")

    def install(self) -> None:
        if SnsTap._installed is not None:
            raise RuntimeError("another local runtime is tapping SNS in this process")
        original = SNSBackend.publish
        self._original = original
        self._signature = inspect.signature(original)
        tap = self

        def publish(backend: SNSBackend, *args: Any, **kwargs: Any) -> str:
            if tap.faults is not None:  # /local/faults: a throttled publish, before moto accepts it
                call = tap._signature.bind(backend, *args, **kwargs).arguments if tap._signature else {}
                tap.faults.check_sns(call.get("phone_number"), call.get("message_attributes"))
            message_id = original(backend, *args, **kwargs)
            try:
                tap._observe(backend, message_id, args, kwargs)
            except Exception:  # a tap bug must not fail the publish the service made
                log.exception("could not record an SNS publish")
            return message_id

        SNSBackend.publish = publish  # type: ignore[assignment]
        SnsTap._installed = self

    def uninstall(self) -> None:
        if self._original is not None and SnsTap._installed is self:
            SNSBackend.publish = self._original  # type: ignore[method-assign]
            SnsTap._installed = None
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- observing one publish --------------------------------------------------------------

    def _observe(
        self, backend: SNSBackend, message_id: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        if self._signature is None:
            return
        bound = self._signature.bind(backend, *args, **kwargs)
        bound.apply_defaults()
        call = bound.arguments
        message: str = call["message"]
        arn: str | None = call.get("arn")
        attributes: dict[str, Any] = call.get("message_attributes") or {}
        subject: str | None = call.get("subject")
        structured = call.get("message_structure") == "json"
        sent_at = self.clock.now_iso()

        if call.get("phone_number"):
            self.outbox.add(Message("sms", call["phone_number"], message, sent_at))
            return
        if arn is None:
            return
        if arn in backend.platform_endpoints:
            endpoint = backend.platform_endpoints[arn]
            platform = endpoint.application.platform
            body = _for_protocol(message, platform, structured)
            self.outbox.add(Message("push", endpoint.token, body, sent_at))
            return
        if arn not in backend.topics:
            return

        channel = _attribute(attributes, "channel")
        to = _attribute(attributes, "to")
        if channel in CHANNELS and to:
            body = _for_protocol(message, channel, structured)
            self.outbox.add(Message(channel, to, body, sent_at, subject))
        elif channel or to:
            log.warning("topic message with channel=%r to=%r is not a delivery", channel, to)

        for sub in list(backend.subscriptions.values()):
            if sub.topic.arn != arn or sub.protocol not in ("sms", "email", "email-json"):
                continue
            matcher = getattr(sub, "_filter_policy_matcher", None)
            if matcher is not None and not matcher.matches(attributes, message):
                continue
            kind = "sms" if sub.protocol == "sms" else "email"
            body = _for_protocol(message, sub.protocol, structured)
            self.outbox.add(Message(kind, sub.endpoint, body, sent_at, subject))

        for consumer in self.consumers:
            if consumer.topic_arn == arn and _matches(consumer, attributes, message):
                event = _sns_event(arn, message_id, message, subject, attributes, structured)
                self._pool.submit(self._deliver, consumer.function, event)

    def _deliver(self, function: str, event: dict[str, Any]) -> None:
        try:
            self.invoke(function, event)
        except Exception:
            # Lambda would retry an async invocation twice, then drop it (or use its DLQ).
            log.exception("%s failed on an SNS message", function)


def _attribute(attributes: dict[str, Any], name: str) -> str | None:
    value = attributes.get(name)
    if isinstance(value, dict):
        value = value.get("Value", value.get("StringValue"))
    return None if value is None else str(value)


def _for_protocol(message: str, protocol: str, structured: bool) -> str:
    """With MessageStructure=json, each protocol gets its own key, else "default"."""
    if not structured:
        return message
    try:
        parts = json.loads(message)
    except ValueError:
        return message
    value = parts.get(protocol, parts.get("default", message))
    return value if isinstance(value, str) else json.dumps(value)


def _matches(consumer: TopicConsumer, attributes: dict[str, Any], message: str) -> bool:
    if not consumer.filter_policy:
        return True
    matcher = FilterPolicyMatcher(consumer.filter_policy, consumer.filter_policy_scope)
    return bool(matcher.matches(attributes, message))


def _sns_event(
    topic_arn: str,
    message_id: str,
    message: str,
    subject: str | None,
    attributes: dict[str, Any],
    structured: bool,
) -> dict[str, Any]:
    """The event SNS gives a subscribed Lambda function."""
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": _for_protocol(message, "lambda", structured),
                    "Timestamp": timestamp,
                    "SignatureVersion": "1",
                    "Signature": "local",
                    "SigningCertUrl": "",
                    "UnsubscribeUrl": "",
                    "MessageAttributes": {
                        k: {"Type": v.get("Type", "String"), "Value": v.get("Value")}
                        for k, v in attributes.items()
                        if isinstance(v, dict)
                    },
                },
            }
        ]
    }
