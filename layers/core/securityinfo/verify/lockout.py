"""Lockout: consecutive failed verifications of a user, across methods, routes and the wizard."""

from __future__ import annotations

import math

from pynamodb.exceptions import UpdateError

from securityinfo.kernel import events, metrics
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import Locked
from securityinfo.policy.model import Policy
from securityinfo.storage.models import ProfileItem, profile_ref, profile_touch


def ensure_unlocked(profile: ProfileItem | None, now: float) -> None:
    """Raise 423 with ``retryAfter`` while the user is locked."""
    if profile is not None and profile.locked_until is not None and profile.locked_until > now:
        wait = max(1, math.ceil(profile.locked_until - now))
        raise Locked(
            f"Too many failed attempts. Try again in {math.ceil(wait / 60)} minutes.",
            retry_after=wait,
        )


def record_failure(deps: Deps, caller: Caller, policy: Policy, user_id: str | None = None) -> int:
    """Count a failure atomically; at the threshold, lock and raise 423. Returns the new count."""
    uid = user_id or caller.user_id
    profile = profile_ref(uid)
    profile.update(actions=[*profile_touch(), ProfileItem.failed_count.add(1)])
    metrics.count(metrics.VERIFICATIONS_FAILED)
    count = int(profile.failed_count or 0)
    if count < policy.lockout_threshold:
        return count
    now = deps.clock.now()
    until = now + policy.lockout_seconds
    try:
        # Only the request that reached the threshold sets the lock, so the event is emitted once.
        profile.update(
            actions=[ProfileItem.locked_until.set(until), ProfileItem.failed_count.set(0)],
            condition=ProfileItem.failed_count >= policy.lockout_threshold,
        )
    except UpdateError:
        pass
    else:
        metrics.count(metrics.LOCKOUTS_TRIGGERED)
        deps.events.put(
            "UserLockedOut",
            events.detail(caller, now, user_id=uid, lockedUntil=iso(until), failedAttempts=count),
        )
    raise Locked(
        f"Too many failed attempts. Try again in {policy.lockout_seconds // 60} minutes.",
        retry_after=policy.lockout_seconds,
    )
