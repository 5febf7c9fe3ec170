"""Temporary access passes: issued by an administrator for one user, they stand in for step-up and
for the first-method bootstrap (docs/RULES.md). A user has at most one (a new pass replaces the old);
only its keyed hash is stored; a single-use pass is consumed by a conditional delete, so two
requests racing with it cannot both succeed."""

from __future__ import annotations

import secrets
from typing import Any

from pynamodb.exceptions import DeleteError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import InvalidField
from securityinfo.kernel.i18n import t
from securityinfo.kernel.validation import Field, validate
from securityinfo.policy.model import Policy
from securityinfo.storage import outbox
from securityinfo.storage.models import TAP_SK, TemporaryAccessPassItem, user_pk

# No 0/o, 1/l/i: a person may have to type it from a phone call with the help desk.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 16  # 16 * log2(31) = 79 bits; a guess also counts toward lockout
HASH_PURPOSE = "temporary-access-pass"
MIN_LIFETIME_MINUTES = 10
ISSUE_SCHEMA = {"lifetimeMinutes": Field(int), "singleUse": Field(bool)}


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _digest(deps: Deps, user_id: str, value: str) -> str:
    return deps.hasher.digest(f"{user_id}\x00{value}", HASH_PURPOSE)


def _normalize(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").lower()[:64]


def issue(deps: Deps, admin: Caller, user_id: str, body: Any, policy: Policy) -> dict[str, Any]:
    """A new pass for ``user_id`` (replacing any earlier one): the only time it is shown."""
    data = validate(body, ISSUE_SCHEMA)
    limits = policy.document["temporaryAccessPass"]
    lifetime = int(data.get("lifetimeMinutes", limits["defaultLifetimeMinutes"]))
    longest = int(limits["maxLifetimeMinutes"])
    if not MIN_LIFETIME_MINUTES <= lifetime <= longest:
        raise InvalidField(
            t(
                "lifetimeMinutes must be between {low} and {high} (the policy's maximum).",
                low=MIN_LIFETIME_MINUTES,
                high=longest,
            ),
            field="lifetimeMinutes",
        )
    single_use = bool(data.get("singleUse", True))
    now = deps.clock.now()
    value = generate()
    expires = now + lifetime * 60
    issued = TemporaryAccessPassItem(
        user_pk(user_id),
        TAP_SK,
        pass_hash=_digest(deps, user_id, value),
        created_at=now,
        expires_at=expires,
        single_use=single_use,
        issued_by=admin.actor,
        ttl=int(expires + 86400),
    )
    with outbox.Change(deps) as tw:
        tw.save(issued)
        tw.emit(
            "TemporaryAccessPassIssued",
            events.detail(
                admin,
                now,
                user_id=user_id,
                expiresAt=iso(expires),
                singleUse=single_use,
                lifetimeMinutes=lifetime,
            ),
        )
    return {
        "temporaryAccessPass": value,
        "expiresAt": iso(expires),
        "singleUse": single_use,
        "lifetimeMinutes": lifetime,
    }


def redeem(deps: Deps, caller: Caller, now: float) -> bool:
    """Is the caller's X-Temporary-Access-Pass this user's unexpired pass? A single-use pass is
    used up here, atomically."""
    typed = caller.temporary_access_pass
    if not typed:
        return False
    value = _normalize(typed)
    expected = _digest(deps, caller.user_id, value)
    try:
        item = TemporaryAccessPassItem.get(user_pk(caller.user_id), TAP_SK)
    except TemporaryAccessPassItem.DoesNotExist:
        return False
    if not deps.hasher.matches(f"{caller.user_id}\x00{value}", HASH_PURPOSE, item.pass_hash):
        return False
    if item.expires_at <= now:
        return False
    if item.single_use:
        try:
            item.delete(condition=TemporaryAccessPassItem.pass_hash == expected)
        except DeleteError:
            return False  # a concurrent request used it first
    return True
