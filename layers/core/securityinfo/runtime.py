"""The adapters of this container, built once on first use from the settings."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pynamodb.connection import Connection

from securityinfo.kernel.alerts import AdminAlerts
from securityinfo.kernel.clock import ServiceClock
from securityinfo.kernel.config import Settings, settings
from securityinfo.kernel.context import Deps
from securityinfo.kernel.crypto import KeyedHasher, KmsSecretBox
from securityinfo.kernel.delivery import Delivery
from securityinfo.kernel.push import PushSender
from securityinfo.storage.models import bind


@lru_cache(maxsize=1)
def deps() -> Deps:
    import boto3  # deferred so importing the package stays cheap for tools and tests

    cfg = settings()
    bind(cfg)  # every domain call reads or writes the table: the models know it before any runs
    return Deps(
        clock=ServiceClock(),
        secrets=KmsSecretBox(boto3.client("kms", region_name=cfg.region), cfg.secrets_key_id),
        totp_issuer=cfg.totp_issuer,
        hasher_factory=lambda: _hash_key(cfg.region, cfg.hash_key_secret_arn),
        delivery_factory=lambda: _delivery(cfg),
        push_factory=lambda: _push(cfg),
        connection_factory=lambda: bind(cfg),
        activity_days=_activity_days,
        alerts_factory=lambda: _alerts(cfg),
    )


@lru_cache(maxsize=1)
def event_bus() -> tuple[Any, str]:
    """The EventBridge client and bus name of the outbox's publisher (the only caller of PutEvents)."""
    import boto3
    from botocore.config import Config

    cfg = settings()
    # Few quick retries here: a throttled batch is retried by the event source mapping, in order.
    client = boto3.client(
        "events", region_name=cfg.region, config=Config(retries={"max_attempts": 2, "mode": "standard"})
    )
    return client, cfg.event_bus_name


def _activity_days() -> int:
    from securityinfo.policy.model import current_policy

    return current_policy().activity_days


def _push(cfg: Settings) -> PushSender:
    import boto3

    from securityinfo.kernel.push import SnsPush

    # Set only on the functions that push; blank when the deployment has no push credentials.
    return SnsPush(boto3.client("sns", region_name=cfg.region), cfg.push_platform_application_arn)


def _alerts(cfg: Settings) -> AdminAlerts:
    import boto3

    from securityinfo.kernel.alerts import SnsAdminAlerts

    return SnsAdminAlerts(boto3.client("sns", region_name=cfg.region), cfg.admin_alerts_topic_arn)


def _delivery(cfg: Settings) -> Delivery:
    import boto3

    from securityinfo.kernel.delivery import SnsDelivery

    return SnsDelivery(boto3.client("sns", region_name=cfg.region), cfg.delivery_topic_arn)


def _hash_key(region: str, secret_arn: str) -> KeyedHasher:
    import boto3

    from securityinfo.kernel.errors import DependencyFailed

    try:
        value = boto3.client("secretsmanager", region_name=region).get_secret_value(SecretId=secret_arn)
    except Exception as exc:  # fail closed: without the key nothing can be checked
        raise DependencyFailed("Could not check that right now; try again.") from exc
    return KeyedHasher(value["SecretString"].encode())


def connection() -> Connection:
    """The table connection, for a handler that reads the table without any other adapter."""
    return bind(settings())
