"""Step-up: proof of a recent verification before security info changes (docs/RULES.md)."""

from __future__ import annotations

from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_token, sha256_hex
from securityinfo.kernel.errors import StepUpRequired
from securityinfo.kernel.i18n import t
from securityinfo.policy.model import Policy
from securityinfo.storage import store
from securityinfo.storage.models import ProfileItem, StepUpItem, step_up_sk, user_pk
from securityinfo.verify import attempts, temporary_access


def new_grant(user_id: str, verification_id: str, now: float, policy: Policy) -> tuple[str, StepUpItem]:
    """A fresh token for the client and the item that records its hash (bound to this user)."""
    token = random_token()
    item = StepUpItem(
        user_pk(user_id),
        step_up_sk(sha256_hex(token)),
        created_at=now,
        verification_id=verification_id,
        ttl=int(now + policy.step_up_seconds + 3600),
    )
    return token, item


def has_valid_grant(caller: Caller, policy: Policy, now: float, max_age: int | None = None) -> bool:
    """A grant of this user's younger than the policy's window (or ``max_age``, if shorter)."""
    if not caller.step_up_token or len(caller.step_up_token) > 200:
        return False
    try:
        item = StepUpItem.get(user_pk(caller.user_id), step_up_sk(sha256_hex(caller.step_up_token)))
    except StepUpItem.DoesNotExist:
        return False
    window = policy.step_up_seconds if max_age is None else min(max_age, policy.step_up_seconds)
    return 0 <= now - item.created_at < window


def is_bootstrap(profile: ProfileItem | None) -> bool:
    """No MFA-capable method yet: the user may register their first methods without step-up."""
    return profile is None or not profile.mfa_count


def require(
    deps: Deps,
    caller: Caller,
    policy: Policy,
    now: float,
    profile: ProfileItem | None = None,
    *,
    profile_known: bool = False,
    max_age: int | None = None,
) -> None:
    """Raise 403 step_up_required unless the caller stepped up recently, sent a valid temporary
    access pass, or is bootstrapping; 423 while the user is locked (a step-up is a verification:
    neither a grant from before the lock nor a pass counts then). ``max_age``: a route that needs a
    fresher step-up than the policy's window (registering a passkey: 5 minutes)."""
    if not profile_known:
        profile = store.get_profile(caller.user_id)
    attempts.ensure_unlocked(profile, now)
    if caller.in_wizard or has_valid_grant(caller, policy, now, max_age):
        return
    if caller.temporary_access_pass:
        _redeem_pass(deps, caller, policy, now)
        return
    if is_bootstrap(profile):
        if not policy.bootstrap_requires_tap:
            return
        raise StepUpRequired(
            "Your organization requires a temporary access pass to set up your first sign-in method. "
            "Ask your administrator for one and send it in X-Temporary-Access-Pass."
        )
    if max_age is not None and max_age < policy.step_up_seconds:
        raise StepUpRequired(
            t(
                "This change needs a verification from the last {minutes} minutes: complete a "
                "stepUp verification with one of your methods again, then send its token in X-Step-Up-Token.",
                minutes=max_age // 60,
            )
        )
    raise StepUpRequired(
        t(
            "Verify your identity first: complete a stepUp verification with one of your methods, "
            "then send its token in X-Step-Up-Token (valid {count} minutes).",
            count=policy.step_up_seconds // 60,
        )
    )


def _redeem_pass(deps: Deps, caller: Caller, policy: Policy, now: float) -> None:
    """A temporary access pass stands in for step-up; a wrong one counts as a failed verification."""
    if temporary_access.redeem(deps, caller, now):
        return
    attempts.wrong_answer(deps, caller, policy)
    raise StepUpRequired(
        "That temporary access pass is not valid: it is wrong, expired or already used. "
        "Ask your administrator for a new one, or verify with one of your methods."
    )
