"""Push fatigue (docs/RULES.md): at most the policy's ``push.maxRequestsPer10Minutes`` push requests per
user in any 10 minutes, so an attacker who knows a password cannot send push after push until a
tired user approves one.

The window is the send times of the last 10 minutes in one item per user (``PUSHES``), moved under
a version check in the same transaction that saves the push verification: concurrent starts queue
up on the version instead of overshooting. Past the limit the start answers 429 with
``retryAfter``; the first refusal of a run tells the user (``PushRequestsThrottled``, and the
notifier's notice), later ones in the same run do not.
"""

from __future__ import annotations

import math

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import TooManyPushRequests
from securityinfo.kernel.i18n import t
from securityinfo.methods import onetime
from securityinfo.policy.model import Policy
from securityinfo.storage import outbox
from securityinfo.storage.models import PUSH_WINDOW_SK, SendWindowItem, user_pk

WINDOW_SECONDS = 600


class Moved(Exception):  # noqa: N818 - an outcome, not an error
    """Another push start moved the window between the read and the write: read it again."""


def read(user_id: str) -> SendWindowItem | None:
    try:
        return SendWindowItem.get(user_pk(user_id), PUSH_WINDOW_SK, consistent_read=True)
    except SendWindowItem.DoesNotExist:
        return None


def _recent(window: SendWindowItem | None, now: float) -> list[float]:
    # No upper bound: a concurrent start that read its clock a moment later may have recorded a
    # push "after" now; dropping it would write the window back without it.
    if window is None:
        return []
    return [float(t) for t in window.sent_at if now - WINDOW_SECONDS < float(t)]


def ensure_room(
    deps: Deps, caller: Caller, policy: Policy, now: float, window: SendWindowItem | None
) -> None:
    """429 ``too_many_push_requests`` when the window is full; the first refusal of a run tells the user."""
    recent = _recent(window, now)
    limit = policy.push_per_10_minutes
    if len(recent) < limit or window is None:
        return
    # Free again once enough of the oldest requests have left the window.
    free_at = sorted(recent)[len(recent) - limit] + WINDOW_SECONDS
    wait = max(1, math.ceil(free_at - now))
    try:
        # Told once per run: only the refusal that sets a new throttled_until writes the event.
        with outbox.Change(deps) as tw:
            tw.update(
                window,
                actions=[SendWindowItem.throttled_until.set(free_at)],
                condition=SendWindowItem.throttled_until.does_not_exist()
                | (SendWindowItem.throttled_until <= now),
            )
            tw.emit(
                "PushRequestsThrottled",
                events.detail(
                    caller, now, maxRequests=limit, windowMinutes=WINDOW_SECONDS // 60, retryAfter=wait
                ),
            )
    except TransactWriteError:
        pass  # this run was told already (or a concurrent refusal is telling it now)
    minutes = math.ceil(wait / 60)
    raise TooManyPushRequests(
        t(
            "Too many sign-in requests were sent to your authenticator app. "
            "Try again in {count} minutes, or choose another method.",
            count=minutes,
        ),
        retry_after=wait,
    )


def count(window: SendWindowItem | None, user_id: str, now: float) -> onetime.Write:
    """The transaction operation that records this push (with ``Moved`` as its refusal)."""
    sent_at = [*_recent(window, now), now]
    ttl = int(now + WINDOW_SECONDS + 3600)

    def write(tw: onetime.store.Transaction) -> None:
        onetime.advance_window(tw, user_pk(user_id), PUSH_WINDOW_SK, window, sent_at, ttl, Moved())

    return write
