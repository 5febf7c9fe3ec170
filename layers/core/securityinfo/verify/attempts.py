"""Attempts at verifying a user, and lockout (SPEC §3): the one owner of "may this user be verified
now", of what a wrong answer does and of what a success resets.

* 10 consecutive failures of a user (any method, app passwords and temporary access passes
  included, across sessions, routes and the wizard) lock further verification for 15 minutes
  (the policy's numbers), with ``UserLockedOut`` once.
* Every path that approves something asks ``ensure_may_verify`` before it checks the answer (a
  clear 423 early) and adds ``succeeded`` to the transaction that records the approval: the write
  is conditioned on "not locked", so a lock that lands between the read and the write still wins.
  The same transaction resets the failure count.
* A wrong answer goes through ``wrong_answer``: one try of the registration or verification used,
  ``VerificationFailed``, and a failure toward lockout.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from securityinfo.kernel import events, metrics
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import Locked
from securityinfo.kernel.i18n import t
from securityinfo.policy.model import Policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import PROFILE_SK, ProfileItem, profile_ref, profile_touch, user_pk


def lock_left(profile: ProfileItem | None, now: float) -> int:
    """Seconds the user stays locked (0: not locked). Expiry is read here, never left to TTL."""
    if profile is None or profile.locked_until is None or profile.locked_until <= now:
        return 0
    return max(1, math.ceil(profile.locked_until - now))


def is_locked(profile: ProfileItem | None, now: float) -> bool:
    return lock_left(profile, now) > 0


def _locked(wait: int) -> Locked:
    return Locked(
        t("Too many failed attempts. Try again in {count} minutes.", count=math.ceil(wait / 60)),
        retry_after=wait,
    )


def ensure_unlocked(profile: ProfileItem | None, now: float) -> None:
    """423 with ``retryAfter`` while the user (whose profile was just read) is locked."""
    wait = lock_left(profile, now)
    if wait:
        raise _locked(wait)


def ensure_may_verify(user_id: str, now: float) -> None:
    """The same, reading the profile (for paths that have not read it)."""
    ensure_unlocked(store.get_profile(user_id), now)


def not_locked(now: float) -> Condition:
    condition: Condition = ProfileItem.locked_until.does_not_exist() | (ProfileItem.locked_until <= now)
    return condition


def succeeded(
    tw: store.Transaction, user_id: str, now: float, policy: Policy, profile: ProfileItem | None = None
) -> None:
    """Add a success to the transaction that records it: refused (423) if the user got locked
    since the read, and the run of failures ends. Without failures to reset (``profile`` read and
    clean) it is only a condition check, so a success writes nothing more to the profile."""
    if profile is not None and not profile.failed_count:
        still_unlocked(tw, user_id, now, policy)
        return
    tw.update(
        profile_ref(user_id),
        actions=[*profile_touch(), *success_actions()],
        condition=not_locked(now),
        refusal=_locked(policy.lockout_seconds),  # the lock landed just now: about its full length
    )


def still_unlocked(tw: store.Transaction, user_id: str, now: float, policy: Policy) -> None:
    """Condition the transaction on the user not being locked (423 if they got locked since the
    read), without writing the profile: for a step toward a success, such as a device's approval
    that the sign-in collects later."""
    tw.condition_check(
        ProfileItem,
        user_pk(user_id),
        PROFILE_SK,
        condition=not_locked(now),
        refusal=_locked(policy.lockout_seconds),
    )


def success_actions() -> list[Action]:
    """What a success does to the profile: a run of failures ends (``succeeded`` writes it; a
    write that updates the profile anyway adds these and conditions on ``not_locked``)."""
    return [ProfileItem.failed_count.set(0)]


def unlock_actions() -> list[Action]:
    """An administrator's unlock: no lock and no run of failures."""
    return [*profile_touch(), ProfileItem.locked_until.remove(), ProfileItem.failed_count.set(0)]


def wrong_answer(
    deps: Deps,
    caller: Caller,
    policy: Policy,
    *,
    use_try: Callable[[], int] | None = None,
    method_type: str | None = None,
    method_id: str | None = None,
    purpose: str | None = None,
    reason: str = "wrong_answer",
    user_id: str | None = None,
) -> int | None:
    """A wrong answer: one try used (``use_try`` returns the tries left), ``VerificationFailed``
    when it names a method and purpose, and a failure toward lockout (423 once the threshold is
    reached; the caller's own refusal otherwise). Returns the tries left, if counted."""
    left = use_try() if use_try is not None else None
    if method_type is not None and method_id is not None and purpose is not None:
        # The failure's own write (the try and the count are their own conditional updates).
        outbox.record(
            deps,
            "VerificationFailed",
            events.detail(
                caller,
                deps.clock.now(),
                user_id=user_id,
                method_type=method_type,
                method_id=method_id,
                purpose=purpose,
                reason=reason,
            ),
        )
    _count_failure(deps, caller, policy, user_id or caller.user_id)
    return left


def _count_failure(deps: Deps, caller: Caller, policy: Policy, user_id: str) -> None:
    """Count a failure atomically; at the threshold, lock and raise 423."""
    profile = profile_ref(user_id)
    profile.update(actions=[*profile_touch(), ProfileItem.failed_count.add(1)])
    metrics.count(metrics.VERIFICATIONS_FAILED)
    count = int(profile.failed_count or 0)
    if count < policy.lockout_threshold:
        return
    now = deps.clock.now()
    until = now + policy.lockout_seconds
    try:
        # Only the request that reached the threshold sets the lock, so the event is written once,
        # in the lock's own transaction.
        with outbox.Change(deps) as tw:
            tw.update(
                profile,
                actions=[ProfileItem.locked_until.set(until), ProfileItem.failed_count.set(0)],
                condition=ProfileItem.failed_count >= policy.lockout_threshold,
            )
            tw.emit(
                "UserLockedOut",
                events.detail(caller, now, user_id=user_id, lockedUntil=iso(until), failedAttempts=count),
            )
    except TransactWriteError:
        pass
    else:
        metrics.count(metrics.LOCKOUTS_TRIGGERED)
    raise _locked(policy.lockout_seconds)
