"""The voice and email senders behind the delivery topic (docs/RULES.md).

Each sender function is subscribed to the topic with a filter policy on ``channel`` and hands each
message to its provider: SES v2 ``SendEmail`` for email, a Twilio-compatible "create call" HTTP API
for voice (the call reads the text). A provider left unconfigured in the template (the local
default: the local outbox already shows every message) or one that refuses a code logs it and
emits ``CodeDeliveryFailed``, so the user can be told to resend or choose another method. A sender
never logs an address unmasked, or a message body.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from functools import lru_cache
from typing import Any, Protocol
from xml.sax.saxutils import escape

from securityinfo.kernel.config import settings
from securityinfo.kernel.context import Caller
from securityinfo.kernel.delivery import CODE, META_KEYS, DeliveryError, Message
from securityinfo.kernel.logs import logger
from securityinfo.kernel.masking import mask
from securityinfo.methods import onetime

HTTP_TIMEOUT_SECONDS = 5


class Provider(Protocol):
    channel: str

    def send(self, to: str, text: str, subject: str) -> None:
        """Deliver one message; raise DeliveryError when the provider refuses it."""
        ...


class NotConfigured:
    """No provider in this deployment (the template parameter is blank), or none usable right now
    (``error_type``: e.g. its credentials could not be read)."""

    def __init__(self, channel: str, error_type: str = "NotConfigured") -> None:
        self.channel = channel
        self.error_type = error_type

    def send(self, to: str, text: str, subject: str) -> None:
        raise DeliveryError(self.error_type)


class SesEmail:
    channel = "email"

    def __init__(self, client: Any, from_address: str) -> None:
        self._client = client
        self._from = from_address

    def send(self, to: str, text: str, subject: str) -> None:
        try:
            self._client.send_email(
                FromEmailAddress=self._from,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": subject or "Security info", "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
                    }
                },
            )
        except Exception as exc:  # the provider's code only: its message may echo the address
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            raise DeliveryError(str(code or type(exc).__name__)) from None


class HttpVoiceCall:
    """A Twilio-compatible "create call" API: POST form ``To``, ``From``, ``Twiml`` with basic auth;
    the call says the text (twice for a code: the text itself repeats it)."""

    channel = "voice"

    def __init__(self, url: str, caller_id: str, credentials: tuple[str, str]) -> None:
        if not url.startswith("https://"):
            raise ValueError("the voice provider URL must use https")
        self._url = url
        self._caller_id = caller_id
        self._credentials = credentials

    def send(self, to: str, text: str, subject: str) -> None:
        twiml = f'<Response><Say language="en-US">{escape(text)}</Say></Response>'
        form = urllib.parse.urlencode({"To": to, "From": self._caller_id, "Twiml": twiml}).encode()
        user, password = self._credentials
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - https only (checked in __init__)
            self._url,
            data=form,
            method="POST",
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as refused:
            raise DeliveryError(f"HTTP{refused.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(type(exc).__name__) from None


@lru_cache(maxsize=1)
def email_provider() -> Provider:
    """From the template: ``EMAIL_FROM_ADDRESS`` (blank: not configured)."""
    sender = settings().email_from_address
    if not sender:
        return NotConfigured("email")
    import boto3

    return SesEmail(boto3.client("sesv2"), sender)


_voice: list[Provider] = []


def voice_provider() -> Provider:
    """From the template: ``VOICE_API_URL``, ``VOICE_CALLER_ID`` and ``VOICE_API_SECRET_ARN`` (a
    Secrets Manager secret ``{"username", "password"}``). Blank: not configured. Kept once built;
    credentials that cannot be read are tried again on the next message."""
    if _voice:
        return _voice[0]
    cfg = settings()
    url, secret_arn = cfg.voice_api_url, cfg.voice_api_secret_arn
    if not url or not secret_arn:
        _voice.append(NotConfigured("voice"))
        return _voice[0]
    try:
        import boto3

        secret = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)
        credentials = json.loads(secret["SecretString"])
        provider = HttpVoiceCall(
            url,
            cfg.voice_caller_id,
            (str(credentials["username"]), str(credentials["password"])),
        )
    except Exception as exc:  # no credentials, no call: report it per message, retry next time
        logger.error("voice_provider_unavailable", extra={"errorType": type(exc).__name__})
        return NotConfigured("voice", "CredentialsUnavailable")
    _voice.append(provider)
    return provider


def handle_sns(deps: Any, event: dict[str, Any], provider: Provider) -> int:
    """Deliver each SNS record through ``provider``; returns how many went out."""
    delivered = 0
    for record in event.get("Records") or []:
        sns = record.get("Sns") or {}
        attributes = {
            name: str(value.get("Value"))
            for name, value in (sns.get("MessageAttributes") or {}).items()
            if isinstance(value, dict) and value.get("Value") is not None
        }
        channel, to = attributes.get("channel", ""), attributes.get("to", "")
        if channel != provider.channel or not to:
            logger.warning(
                "delivery_not_for_this_sender", extra={"channel": channel, "sender": provider.channel}
            )
            continue
        try:
            provider.send(to, str(sns.get("Message") or ""), str(sns.get("Subject") or ""))
        except DeliveryError as failure:
            _failed(deps, sns, attributes, failure.error_type)
            continue
        logger.info("delivered", extra={"channel": channel, "sentTo": mask(channel, to)})
        delivered += 1
    return delivered


def _failed(deps: Any, sns: dict[str, Any], attributes: dict[str, str], error_type: str) -> None:
    channel, to = attributes["channel"], attributes["to"]
    if error_type in ("NotConfigured", "CredentialsUnavailable"):
        logger.warning(f"{channel}_provider_not_configured", extra={"sentTo": mask(channel, to)})
    if attributes.get("kind", CODE) != CODE or not attributes.get("userId"):
        logger.warning(
            "notice_not_sent",
            extra={"channel": channel, "sentTo": mask(channel, to), "errorType": error_type},
        )
        return
    meta = {k: v for k, v in attributes.items() if k in META_KEYS}
    caller = Caller(
        user_id=meta["userId"],
        actor="system",
        correlation_id=meta.get("correlationId") or str(sns.get("MessageId") or "sns"),
    )
    message = Message(channel=channel, to=to, text="", kind=CODE, meta=meta)
    onetime.failed(deps, caller, deps.clock.now(), message, error_type)
