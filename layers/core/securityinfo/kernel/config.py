"""Settings read once from the environment the template sets (Globals.Function.Environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


class ConfigurationError(RuntimeError):
    """A required setting is missing: the function cannot serve safely, so it refuses to start."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    secrets_key_id: str
    event_bus_name: str
    admin_group: str
    totp_issuer: str
    region: str
    hash_key_secret_arn: str


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this container, read on first use (not at import) and then kept."""
    return Settings(
        table_name=_required("TABLE_NAME"),
        secrets_key_id=_required("SECRETS_KEY_ID"),
        event_bus_name=_required("EVENT_BUS_NAME"),
        admin_group=_required("ADMIN_GROUP"),
        totp_issuer=_required("TOTP_ISSUER"),
        region=os.environ.get("AWS_REGION") or _required("AWS_DEFAULT_REGION"),
        hash_key_secret_arn=_required("HASH_KEY_SECRET_ARN"),
    )
