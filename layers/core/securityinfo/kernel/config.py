"""Every setting the code reads from the environment the template sets, in one place.

``settings()`` reads them once per container, on first use (not at import): the template's Globals
are required and a missing one stops the function before it serves anything; the values only some
functions get (their own ``Environment``) may be blank, and the code that needs one says so on use.
Two values are read on every use instead, because they move while a process runs: the service
clock's offset (the local runtime moves time forward) and the WebAuthn origins (the local runtime's
browser tests add the page's origin).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple

CLOCK_OFFSET_ENV = "SERVICE_CLOCK_OFFSET_SECONDS"


class ConfigurationError(RuntimeError):
    """A required setting is missing: the function cannot serve safely, so it refuses to start."""


class Settings(NamedTuple):
    # Globals: every function has them.
    table_name: str
    secrets_key_id: str
    event_bus_name: str
    admin_group: str
    totp_issuer: str
    region: str
    hash_key_secret_arn: str
    delivery_topic_arn: str
    # Per function: blank where the template does not give it to the function (or leaves it unset).
    push_platform_application_arn: str  # blank: pushes are off and the app polls
    enrollment_state_machine_arn: str
    wizard_step_timeout_seconds: int | None
    email_from_address: str
    voice_api_url: str
    voice_api_secret_arn: str
    voice_caller_id: str
    admin_alerts_topic_arn: str  # only the function that alerts administrators has it


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def _optional(name: str) -> str:
    return os.environ.get(name, "").strip()


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this container, read on first use (not at import) and then kept."""
    timeout = _optional("WIZARD_STEP_TIMEOUT_SECONDS")
    return Settings(
        table_name=_required("TABLE_NAME"),
        secrets_key_id=_required("SECRETS_KEY_ID"),
        event_bus_name=_required("EVENT_BUS_NAME"),
        admin_group=_required("ADMIN_GROUP"),
        totp_issuer=_required("TOTP_ISSUER"),
        region=os.environ.get("AWS_REGION") or _required("AWS_DEFAULT_REGION"),
        hash_key_secret_arn=_required("HASH_KEY_SECRET_ARN"),
        delivery_topic_arn=_required("DELIVERY_TOPIC_ARN"),
        push_platform_application_arn=_optional("PUSH_PLATFORM_APPLICATION_ARN"),
        enrollment_state_machine_arn=_optional("ENROLLMENT_STATE_MACHINE_ARN"),
        wizard_step_timeout_seconds=int(timeout) if timeout else None,
        email_from_address=_optional("EMAIL_FROM_ADDRESS"),
        voice_api_url=_optional("VOICE_API_URL"),
        voice_api_secret_arn=_optional("VOICE_API_SECRET_ARN"),
        voice_caller_id=_optional("VOICE_CALLER_ID"),
        admin_alerts_topic_arn=_optional("ADMIN_ALERTS_TOPIC_ARN"),
    )


def clock_offset() -> float:
    """Seconds the service clock runs ahead of the system clock (0 in AWS)."""
    return float(os.environ.get(CLOCK_OFFSET_ENV) or 0)


def webauthn_relying_party() -> tuple[str, list[str]]:
    """The WebAuthn RP id and the origins a security key's answer may come from."""
    rp_id = _optional("WEBAUTHN_RP_ID")
    origins = [o.strip().rstrip("/") for o in os.environ.get("WEBAUTHN_ORIGINS", "").split(",") if o.strip()]
    if not rp_id or not origins:
        raise ConfigurationError("WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS must be set")
    return rp_id, origins
