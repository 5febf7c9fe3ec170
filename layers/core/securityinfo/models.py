"""Every item of the single table, as pynamodb models.

One partition per user (``USER#<id>``); key builders take the caller's verified id, so a request can
never name another user's item. A discriminator attribute maps each item to its class, so one Query
of a user's partition yields typed profile and method items.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.models import Model

from .config import Settings

PROFILE_SK = "PROFILE"
METHOD_PREFIX = "METHOD#"
POLICY_PK = "ORG"
POLICY_SK = "POLICY"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def method_sk(method_id: str) -> str:
    return f"{METHOD_PREFIX}{method_id}"


def registration_sk(registration_id: str) -> str:
    return f"REG#{registration_id}"


def verification_sk(verification_id: str) -> str:
    return f"VERIF#{verification_id}"


def step_up_sk(token_hash: str) -> str:
    return f"STEPUP#{token_hash}"


def idempotency_sk(key: str) -> str:
    return f"IDEM#{key}"


class Item(Model):
    """The table. Its name and region are bound at first use from the settings (see bind)."""

    class Meta:
        table_name = "unbound"
        region: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    # DynamoDB TTL only cleans up (it can lag by days); every expiry is checked in code.
    ttl = NumberAttribute(null=True)


class ProfileItem(Item, discriminator="profile"):
    """Per-user counters and choices; created on first write by an update."""

    default_method_id = UnicodeAttribute(null=True)
    system_preferred = BooleanAttribute(null=True)
    failed_count = NumberAttribute(null=True)
    locked_until = NumberAttribute(null=True)
    method_count = NumberAttribute(null=True)
    mfa_count = NumberAttribute(null=True)
    oath_count = NumberAttribute(null=True)
    remember_generation = NumberAttribute(null=True)


def profile_ref(user_id: str) -> ProfileItem:
    """A profile handle for updates; UpdateItem creates the item when it does not exist yet."""
    return ProfileItem(user_pk(user_id), PROFILE_SK)


def profile_touch() -> list[Any]:
    """Update actions every profile write carries: an item created by an update must still carry
    its discriminator, or typed queries would not see it."""
    return [ProfileItem.kind.set(ProfileItem)]


class MethodItem(Item, discriminator="method"):
    """A registered method. Type-specific data lives in the subclasses' attributes."""

    method_id = UnicodeAttribute()
    method_type = UnicodeAttribute()
    display_name = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)
    created_by = UnicodeAttribute()
    created_ip = UnicodeAttribute(null=True)
    created_user_agent = UnicodeAttribute(null=True)


class SoftwareOathMethodItem(MethodItem, discriminator="method:softwareOath"):
    secret_ciphertext = BinaryAttribute(legacy_encoding=False)
    # The last accepted TOTP time step: a code for this step or an earlier one is a replay.
    last_step = NumberAttribute()


class RegistrationItem(Item, discriminator="registration"):
    """A registration waiting for its proof. The method id is fixed here so that the secret's
    encryption context stays the same once the method exists."""

    registration_id = UnicodeAttribute()
    method_id = UnicodeAttribute()
    method_type = UnicodeAttribute()
    display_name = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    attempts_left = NumberAttribute()
    created_by = UnicodeAttribute()
    created_ip = UnicodeAttribute(null=True)
    created_user_agent = UnicodeAttribute(null=True)
    secret_ciphertext = BinaryAttribute(legacy_encoding=False, null=True)
    data = MapAttribute[str, Any](null=True)


class VerificationItem(Item, discriminator="verification"):
    verification_id = UnicodeAttribute()
    method_id = UnicodeAttribute()
    method_type = UnicodeAttribute()
    purpose = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    attempts_left = NumberAttribute()
    data = MapAttribute[str, Any](null=True)


class StepUpItem(Item, discriminator="stepup"):
    """A step-up grant; the token itself is never stored, only its SHA-256."""

    created_at = NumberAttribute()
    verification_id = UnicodeAttribute()


class IdempotencyItem(Item, discriminator="idempotency"):
    """Maps an Idempotency-Key to the resource it created; never holds the answer itself, which may
    carry a secret: the answer is rebuilt from the resource."""

    route = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    created_at = NumberAttribute()


class PolicyItem(Item, discriminator="policy"):
    document = UnicodeAttribute()
    updated_at = NumberAttribute()


_bound: list[Connection] = []


def bind(settings: Settings) -> Connection:
    """Point the models at the configured table and return a connection for transactions."""
    if not _bound:
        Item.Meta.table_name = settings.table_name
        Item.Meta.region = settings.region
        _bound.append(Connection(region=settings.region))
    return _bound[0]
