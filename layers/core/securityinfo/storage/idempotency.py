"""Idempotency keys on creates and sends. The record maps the key to the resource it created and
never stores the answer (which may hold a secret); a repeat rebuilds the answer from the resource."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from securityinfo.kernel.errors import IdempotencyInProgress, IdempotencyKeyReused, InvalidIdempotencyKey
from securityinfo.storage.models import IdempotencyItem, idempotency_sk, user_pk

WINDOW_SECONDS = 3600
UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID = re.compile(UUID_PATTERN)


def check_key(key: str | None) -> str | None:
    if key is None or key == "":
        return None
    if not _UUID.fullmatch(key):
        raise InvalidIdempotencyKey("Idempotency-Key must be a UUID.", field="Idempotency-Key")
    return key.lower()


def request_hash(route: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([route, body], sort_keys=True).encode()).hexdigest()


def look_up(
    user_id: str, key: str | None, route: str, body: dict[str, Any], now: float
) -> tuple[str, str | None]:
    """(this request's hash, the resource an earlier request with the same key created or None);
    no key: nothing to look up."""
    digest = request_hash(route, body)
    return digest, (earlier(user_id, key, route, digest, now) if key is not None else None)


def earlier(user_id: str, key: str, route: str, digest: str, now: float) -> str | None:
    """The resource id a previous request with this key created (within the hour), else None."""
    try:
        item = IdempotencyItem.get(user_pk(user_id), idempotency_sk(key))
    except IdempotencyItem.DoesNotExist:
        return None
    if now - item.created_at >= WINDOW_SECONDS:
        return None
    if item.route != route or item.request_hash != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request; use a new key.",
        )
    return item.resource_id


def record(user_id: str, key: str, route: str, digest: str, resource_id: str, now: float) -> IdempotencyItem:
    return IdempotencyItem(
        user_pk(user_id),
        idempotency_sk(key),
        route=route,
        request_hash=digest,
        resource_id=resource_id,
        created_at=now,
        ttl=int(now + WINDOW_SECONDS + 86400),
    )


class Raced(Exception):  # noqa: N818 - an outcome, not an error
    """A concurrent request with the same key saved its record first: answer as it did."""


def winner(user_id: str, key: str | None, route: str, digest: str, now: float) -> str:
    """After ``Raced``: the resource the concurrent request with the same key created."""
    found = earlier(user_id, key, route, digest, now) if key is not None else None
    if found is None:
        raise IdempotencyInProgress(
            "A request with this Idempotency-Key is being handled; retry it in a moment."
        )
    return found


def expired_record_condition(now: float) -> Any:
    """Save condition: no record, or only one older than the window."""
    return IdempotencyItem.pk.does_not_exist() | (IdempotencyItem.created_at <= now - WINDOW_SECONDS)
