"""Sending texts, calls and emails through SNS (docs/RULES.md).

SMS is published straight to the phone number as a transactional SMS. Voice and email go to the
delivery topic with the message attributes ``channel`` and ``to``; the voice and email sender
functions are subscribed to it with filter policies on ``channel``. The domain talks to the
``Delivery`` protocol only, so unit tests pass a ``MemoryDelivery``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

CHANNELS = ("sms", "voice", "email")
CODE = "code"
NOTICE = "notice"
# Message attributes a sender function reads back (SNS allows 10 per message).
META_KEYS = (
    "userId",
    "methodType",
    "methodId",
    "purpose",
    "registrationId",
    "verificationId",
    "correlationId",
)


class Message(NamedTuple):
    """One text, call or email. ``meta`` names what it is about, so a sender that fails can say so
    (CodeDeliveryFailed) without knowing the domain."""

    channel: str
    to: str
    text: str
    subject: str = ""
    kind: str = CODE
    meta: Mapping[str, str] = MappingProxyType({})


class DeliveryError(Exception):
    """The provider refused or could not be reached; ``error_type`` is its error code, never its text."""

    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type[:100]


class Delivery(Protocol):
    def send(self, message: Message) -> None:
        """Hand the message to the provider; raise DeliveryError when it is refused."""
        ...


class SnsDelivery:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def send(self, message: Message) -> None:
        if message.channel not in CHANNELS:
            raise ValueError(f"unknown channel {message.channel!r}")
        try:
            if message.channel == "sms":
                self._client.publish(
                    PhoneNumber=message.to,
                    Message=message.text,
                    MessageAttributes={
                        # Transactional: highest reliability, delivered even to opted-out marketing lists.
                        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                    },
                )
                return
            attributes = {
                "channel": message.channel,
                "to": message.to,
                "kind": message.kind,
                **{k: v for k, v in message.meta.items() if k in META_KEYS and v},
            }
            request: dict[str, Any] = {
                "TopicArn": self._topic_arn,
                "Message": message.text,
                "MessageAttributes": {
                    k: {"DataType": "String", "StringValue": str(v)} for k, v in attributes.items()
                },
            }
            if message.subject:
                request["Subject"] = message.subject
            self._client.publish(**request)
        except Exception as exc:  # fail closed: the caller is told to resend or choose another method
            raise DeliveryError(_error_type(exc)) from None


def _error_type(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)
    return type(exc).__name__


class MemoryDelivery:
    """Collects messages (unit tests); ``fail_with`` makes every send fail with that error type."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.fail_with: str | None = None

    def send(self, message: Message) -> None:
        if self.fail_with:
            raise DeliveryError(self.fail_with)
        self.sent.append(message)
