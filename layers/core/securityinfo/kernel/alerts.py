"""Alerts to the organization's administrators (an SNS topic they subscribe to: email, chat, a
SIEM). Only masked, secret-free facts go in an alert; the domain talks to ``AdminAlerts`` only, so
unit tests pass a ``MemoryAlerts``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol


class Alert(NamedTuple):
    subject: str
    text: str
    # Machine-readable facts for subscribers that filter or route (SNS message attributes).
    attributes: Mapping[str, str] = MappingProxyType({})
    details: Mapping[str, Any] = MappingProxyType({})


class AlertNotSent(Exception):
    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type[:100]


class AdminAlerts(Protocol):
    def send(self, alert: Alert) -> None: ...


class SnsAdminAlerts:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def send(self, alert: Alert) -> None:
        if not self._topic_arn:
            raise AlertNotSent("NoAdminAlertsTopic")
        # Email subscribers read the text; everything else reads the JSON details.
        message = json.dumps(
            {"default": json.dumps({"text": alert.text, **alert.details}), "email": alert.text}
        )
        try:
            self._client.publish(
                TopicArn=self._topic_arn,
                Subject=alert.subject[:100],
                Message=message,
                MessageStructure="json",
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": v} for k, v in alert.attributes.items() if v
                },
            )
        except Exception as exc:  # the event is redelivered: the alert is tried again
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            raise AlertNotSent(str(code or type(exc).__name__)) from None


class MemoryAlerts:
    def __init__(self) -> None:
        self.sent: list[Alert] = []

    def send(self, alert: Alert) -> None:
        self.sent.append(alert)
