"""App passwords (docs/RULES.md): for clients that cannot do two-step verification.

The password is made here, shown once and never kept: the table holds its keyed hash as the item's
sort key, so the sign-in check is a single GetItem whatever the number of passwords, and a copy of
the table cannot be used to test guesses without the hash key. The limit of 40 is a counter on the
profile raised in the same transaction that saves the password, so a 41st never exists.

A repeated create with the same Idempotency-Key answers 409 ``app_password_already_created``: the
password was shown once and is not kept, so it cannot be shown again (the idempotency record holds
only the id).
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import (
    AppPasswordAlreadyCreated,
    AppPasswordLimit,
    AppPasswordsDisabled,
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
)
from securityinfo.kernel.i18n import t
from securityinfo.kernel.logs import logger
from securityinfo.kernel.validation import Field, validate
from securityinfo.policy.model import Policy, current_policy
from securityinfo.storage import idempotency, outbox, store
from securityinfo.storage.models import (
    APP_PASSWORD_PREFIX,
    PROFILE_SK,
    AppPasswordItem,
    Item,
    ProfileItem,
    app_password_sk,
    profile_ref,
    profile_touch,
    user_pk,
)
from securityinfo.verify import attempts, stepup

LIMIT = 40
LENGTH = 24  # lowercase letters: 24 * log2(26) = 112.8 bits
HASH_PURPOSE = "app-password"
ROUTE = "POST /me/app-passwords"
CREATE_SCHEMA = {
    "name": Field(str, required=True, min_len=1, max_len=64, hint="A name of 1 to 64 characters.")
}
_SHAPE = re.compile(rf"[a-z]{{{LENGTH}}}")
_TYPED_SEPARATORS = re.compile(r"[\s-]+")


def generate() -> str:
    """24 lowercase letters from the CSPRNG."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(LENGTH))


def digest(deps: Deps, user_id: str, password: str) -> str:
    # The user id is part of the message: the same letters never hash alike for two users.
    return deps.hasher.digest(f"{user_id}\x00{password}", HASH_PURPOSE)


def normalize(typed: str) -> str:
    """What a person may have typed from the page (groups of four, upper case) as stored."""
    return _TYPED_SEPARATORS.sub("", typed).lower()


def view(item: AppPasswordItem) -> dict[str, Any]:
    return {
        "id": item.app_password_id,
        "name": item.name,
        "createdAt": iso(item.created_at),
        "lastUsedAt": iso(item.last_used_at) if item.last_used_at else None,
    }


def all_of(user_id: str) -> list[AppPasswordItem]:
    """The user's app passwords (at most 40: one small Query)."""
    found = Item.query(user_pk(user_id), Item.sk.startswith(APP_PASSWORD_PREFIX))
    return sorted(
        (i for i in found if isinstance(i, AppPasswordItem)), key=lambda i: (i.created_at, i.app_password_id)
    )


def listing(deps: Deps, caller: Caller) -> dict[str, Any]:
    """GET /me/app-passwords: names and dates, never a password or its hash."""
    policy = current_policy()
    return {
        "appPasswords": [view(i) for i in all_of(caller.user_id)],
        "limit": LIMIT,
        "enabled": policy.app_passwords_enabled,
    }


def _disabled() -> Forbidden:
    return AppPasswordsDisabled(
        "Your organization does not allow app passwords. Ask your administrator if an app needs one.",
    )


def _limit_error() -> Conflict:
    return AppPasswordLimit(
        t(
            "You already have {count} app passwords, the most you can have. Delete one you no longer use, "
            "then create a new one.",
            count=LIMIT,
        )
    )


def create(deps: Deps, caller: Caller, body: Any, idempotency_key: str | None) -> dict[str, Any]:
    """POST /me/app-passwords (step-up): 201 with the password, the only time it is shown."""
    data = validate(body, CREATE_SCHEMA)
    name = data["name"].strip()
    if not name:
        raise InvalidField("Give the app password a name of 1 to 64 characters.", field="name")
    key = idempotency.check_key(idempotency_key)
    policy = current_policy()
    if not policy.app_passwords_enabled:
        raise _disabled()
    now = deps.clock.now()
    profile = store.get_profile(caller.user_id)
    stepup.require(deps, caller, policy, now, profile, profile_known=True)
    request_hash = idempotency.request_hash(ROUTE, {"name": name})
    if key is not None and idempotency.earlier(caller.user_id, key, ROUTE, request_hash, now) is not None:
        raise _already_created()
    if profile is not None and int(profile.app_password_count or 0) >= LIMIT:
        raise _limit_error()
    password = generate()
    item = AppPasswordItem(
        user_pk(caller.user_id),
        app_password_sk(digest(deps, caller.user_id, password)),
        app_password_id=random_id("ap"),
        name=name,
        created_at=now,
        created_by=caller.actor,
    )
    counter = ProfileItem.app_password_count
    try:
        with outbox.Change(deps) as tw:
            tw.save(item, condition=AppPasswordItem.pk.does_not_exist())
            tw.update(
                profile_ref(caller.user_id),
                actions=[*profile_touch(), counter.add(1)],
                condition=counter.does_not_exist() | (counter < LIMIT),
                refusal=_limit_error(),
            )
            if key is not None:
                tw.save(
                    idempotency.record(caller.user_id, key, ROUTE, request_hash, item.app_password_id, now),
                    condition=idempotency.expired_record_condition(now),
                    refusal=_already_created(),
                )
            tw.emit(
                "AppPasswordCreated",
                events.detail(caller, now, appPasswordId=item.app_password_id, name=name),
            )
    except TransactWriteError as error:
        tw.refuse(error)
    return {**view(item), "password": password}


def _already_created() -> Conflict:
    return AppPasswordAlreadyCreated(
        "This request already created an app password, and a password is shown only once. "
        "If you did not copy it, delete that app password and create a new one.",
    )


def _own(user_id: str, app_password_id: str) -> AppPasswordItem:
    if app_password_id and len(app_password_id) <= 100:
        for item in all_of(user_id):
            if item.app_password_id == app_password_id:
                return item
    raise NotFound("No such app password.")


def delete(deps: Deps, caller: Caller, app_password_id: str) -> None:
    """DELETE /me/app-passwords/{id} (step-up). Ownership first: another user's id is a 404."""
    item = _own(caller.user_id, app_password_id)
    policy = current_policy()
    now = deps.clock.now()
    stepup.require(deps, caller, policy, now)
    try:
        with outbox.Change(deps) as tw:
            tw.delete(item, condition=AppPasswordItem.pk.exists(), refusal=NotFound("No such app password."))
            tw.update(
                profile_ref(caller.user_id),
                actions=[*profile_touch(), ProfileItem.app_password_count.add(-1)],
            )
            tw.emit(
                "AppPasswordDeleted",
                events.detail(caller, now, appPasswordId=item.app_password_id, name=item.name),
            )
    except TransactWriteError as error:
        tw.refuse(error)


def delete_all(deps: Deps, user_id: str, announce: Callable[[int], dict[str, Any]]) -> int:
    """Every app password of ``user_id`` (an administrator's reset) in one transaction with its
    event (``announce(count)``); returns how many went. A concurrent change: read again, retry."""
    for _ in range(3):
        items = all_of(user_id)
        try:
            with outbox.Change(deps) as tw:
                for item in items:
                    tw.delete(item, condition=AppPasswordItem.pk.exists())
                # By how many went: a create racing with the reset counts itself.
                tw.update(
                    profile_ref(user_id),
                    actions=[*profile_touch(), ProfileItem.app_password_count.add(-len(items))],
                )
                tw.emit("AppPasswordDeleted", announce(len(items)))
        except TransactWriteError:
            continue
        return len(items)
    raise Conflict("The app passwords kept changing; try again.")


# --- the sign-in service's check --------------------------------------------------------------


def check(deps: Deps, caller: Caller, user_id: str, typed: str) -> bool:
    """Is ``typed`` one of the user's app passwords? One read of the profile and the password's item
    together (by its keyed hash: O(1) in the number of passwords), then one write."""
    policy = current_policy()
    if not policy.app_passwords_enabled:
        # Switched off by the administrator: no password works, and a client still trying its old
        # one must not lock its user out of every other verification.
        return False
    now = deps.clock.now()
    candidate = normalize(typed)
    # Hash whatever was sent, so a malformed guess costs the same as a well-formed one.
    key = app_password_sk(digest(deps, user_id, candidate[:256]))
    connection = deps.connection
    profile_item, password_item = store.get_many(connection, user_id, PROFILE_SK, key)
    profile = store.typed(profile_item, ProfileItem)
    attempts.ensure_unlocked(profile, now)
    item = store.typed(password_item, AppPasswordItem)
    if item is not None and _SHAPE.fullmatch(candidate) and _used(deps, item, profile, user_id, now, policy):
        return True
    logger.info("app_password_refused", extra={"userId": user_id})
    attempts.wrong_answer(deps, caller, policy, user_id=user_id)
    return False


class _Deleted(Exception):
    """The password was deleted between the read and the write."""


def _used(
    deps: Deps, item: AppPasswordItem, profile: ProfileItem | None, user_id: str, now: float, policy: Policy
) -> bool:
    """Record the last use, as a success of the user (refused with 423 if they got locked since the
    read; it ends a run of failures). False when the password was deleted meanwhile."""
    tw = store.Transaction(connection=deps.connection)
    try:
        with tw:
            tw.update(
                item,
                actions=[AppPasswordItem.last_used_at.set(now)],
                condition=AppPasswordItem.pk.exists(),
                refusal=_Deleted(),
            )
            attempts.succeeded(tw, user_id, now, policy, profile)
    except TransactWriteError as error:
        if isinstance(tw.refusal(error), _Deleted):
            return False
        tw.refuse(error)
    return True
