"""Password reset with the policy's number of distinct methods (``ssprMethodsRequired``: 1 or 2).

Each approved ``sspr`` verification adds its method to the user's reset session (one item, moved
under a version check); the approval that brings the session to the required number of distinct
methods answers ``ssprComplete: true`` and closes the session, so the next reset starts over. A
session lasts 15 minutes from its first approval, checked on the service clock.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from securityinfo.kernel.errors import DependencyFailed
from securityinfo.policy.model import Policy
from securityinfo.storage.models import SSPR_SK, SsprSessionItem, user_pk

SESSION_SECONDS = 900
_RACE_TRIES = 5


def record_approval(user_id: str, method_id: str, now: float, policy: Policy) -> dict[str, Any]:
    """``{ssprComplete, ssprMethodsRemaining?}`` after one more approved password-reset verification."""
    required = policy.sspr_methods_required
    if required <= 1:
        return {"ssprComplete": True}
    for _ in range(_RACE_TRIES):
        try:
            session: SsprSessionItem | None = SsprSessionItem.get(
                user_pk(user_id), SSPR_SK, consistent_read=True
            )
        except SsprSessionItem.DoesNotExist:
            session = None
        try:
            methods, version = _add(user_id, session, method_id, now)
        except (PutError, UpdateError) as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                continue  # a concurrent approval moved the session: read it again
            raise DependencyFailed("Could not record the password reset step; try again.") from error
        if len(methods) >= required:
            _close(user_id, version)
            return {"ssprComplete": True}
        return {"ssprComplete": False, "ssprMethodsRemaining": required - len(methods)}
    raise DependencyFailed("Could not record the password reset step; try again.")


def _add(user_id: str, session: SsprSessionItem | None, method_id: str, now: float) -> tuple[list[str], int]:
    if session is None or session.expires_at <= now:
        version = int(session.version) + 1 if session is not None else 1
        fresh = SsprSessionItem(
            user_pk(user_id),
            SSPR_SK,
            method_ids=[method_id],
            started_at=now,
            expires_at=now + SESSION_SECONDS,
            version=version,
            ttl=int(now + SESSION_SECONDS + 86400),
        )
        condition = (
            SsprSessionItem.pk.does_not_exist()
            if session is None
            else SsprSessionItem.version == int(session.version)
        )
        fresh.save(condition=condition)
        return [method_id], version
    methods = list(session.method_ids)
    if method_id not in methods:  # the same method twice is still one method
        methods.append(method_id)
    version = int(session.version) + 1
    session.update(
        actions=[SsprSessionItem.method_ids.set(methods), SsprSessionItem.version.set(version)],
        condition=SsprSessionItem.version == int(session.version),
    )
    return methods, version


def _close(user_id: str, version: int) -> None:
    try:
        SsprSessionItem(user_pk(user_id), SSPR_SK).delete(condition=SsprSessionItem.version == version)
    except DeleteError:
        pass  # a newer session began meanwhile; it stands on its own
