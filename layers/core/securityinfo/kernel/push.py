"""Mobile push to the authenticator app through SNS: one platform endpoint per activated device.

A push only wakes the app up; the app then reads its pending requests over the signed device API
(``GET /devices/{id}/pending``), so a lost push costs convenience, never security. Without a
configured platform application (no push credentials in this deployment) pushes are off and the app
polls.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from securityinfo.kernel.logs import logger


class PushFailed(Exception):
    """SNS refused the push; ``error_type`` is the provider's error code (never its message)."""

    def __init__(self, error_type: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type


class PushSender(Protocol):
    def register(self, token: str, device_id: str) -> str | None:
        """The platform endpoint for a device's push token, or None when pushes are off."""
        ...

    def send(self, endpoint_arn: str, data: dict[str, str]) -> None:
        """Deliver a data message (raises PushFailed)."""
        ...

    def forget(self, endpoint_arn: str) -> None:
        """Delete the endpoint (best effort)."""
        ...


def _error_type(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return str(code)[:100]
    return type(exc).__name__


class SnsPush:
    def __init__(self, client: Any, application_arn: str) -> None:
        self._client = client
        self._application_arn = application_arn

    def register(self, token: str, device_id: str) -> str | None:
        if not self._application_arn:
            return None
        try:
            out = self._client.create_platform_endpoint(
                PlatformApplicationArn=self._application_arn, Token=token, CustomUserData=device_id
            )
        except Exception as exc:  # the app still works by polling; say so loudly in the logs
            logger.error("push_endpoint_not_created", extra={"errorType": _error_type(exc)})
            return None
        return str(out["EndpointArn"])

    def send(self, endpoint_arn: str, data: dict[str, str]) -> None:
        # Data messages only: the number to match is never in a push (the sign-in screen shows it).
        payload = json.dumps({"data": data})
        message = {
            "default": json.dumps(data),
            "GCM": payload,
            "APNS": json.dumps({"aps": {"content-available": 1}, **data}),
            "APNS_SANDBOX": json.dumps({"aps": {"content-available": 1}, **data}),
        }
        try:
            self._client.publish(TargetArn=endpoint_arn, Message=json.dumps(message), MessageStructure="json")
        except Exception as exc:
            raise PushFailed(_error_type(exc)) from exc

    def forget(self, endpoint_arn: str) -> None:
        try:
            self._client.delete_endpoint(EndpointArn=endpoint_arn)
        except Exception as exc:
            logger.warning("push_endpoint_not_deleted", extra={"errorType": _error_type(exc)})


class MemoryPush:
    """Records pushes (unit tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    def register(self, token: str, device_id: str) -> str | None:
        return f"endpoint/{device_id}"

    def send(self, endpoint_arn: str, data: dict[str, str]) -> None:
        self.sent.append((endpoint_arn, data))

    def forget(self, endpoint_arn: str) -> None:
        return None
