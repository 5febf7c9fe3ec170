"""The sign-in service's questions (server to server, IAM-authorized): does this user need a second
factor now, and is this an app password of theirs.

``mfa-status`` answers, for the user named in the body:
- ``locked``: verification is locked out now;
- ``registrationRequired``: the user lacks what the policy requires (show "Keep your account secure");
- ``mfaRequired``: the user has a method for two-step verification and this device is not
  remembered (a valid, unexpired, unrevoked token; never while locked, never when the policy's
  ``rememberDeviceDays`` is 0). A user with no such method yet has nothing to verify with:
  ``mfaRequired`` is false and ``registrationRequired`` true;
- ``defaultMethod``: ``{type, id}`` of the method to prompt, or null;
- ``riskState``: ``atRisk`` after the user reported activity as not theirs, until an administrator
  dismisses it; else ``none``.
- ``recoveryCodesLow``: the user's recovery set has 3 codes or fewer left.

Each question is its own function: what only ``mfa-status`` reads (the method types, recovery
codes, the policy's requirements, remembered devices) is imported there, so the app-password
check's cold start does not load it.
"""

from __future__ import annotations

from typing import Any

from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.validation import Field, validate
from securityinfo.policy.model import current_policy
from securityinfo.storage import store
from securityinfo.storage.models import risk_state_of
from securityinfo.verify import app_passwords, attempts

USER_ID = Field(str, required=True, min_len=1, max_len=128)
STATUS_SCHEMA = {"userId": USER_ID, "rememberDeviceToken": Field(str, min_len=1, max_len=300)}
CHECK_SCHEMA = {"userId": USER_ID, "password": Field(str, required=True, min_len=1, max_len=256)}


def mfa_status(deps: Deps, service: Caller, body: Any) -> dict[str, Any]:
    """POST /signin/mfa-status: one Query of the user's methods and profile, plus one GetItem and one
    UpdateItem (last use) when a remembered-device token comes along."""
    from securityinfo.methods import recovery_codes
    from securityinfo.methods.registry import kind_of
    from securityinfo.methods.views import default_method_id
    from securityinfo.policy.requirements import registration_required
    from securityinfo.verify import remembered_devices

    data = validate(body, STATUS_SCHEMA)
    user_id = data["userId"]
    now = deps.clock.now()
    policy = current_policy()
    profile, methods = store.methods_and_profile(user_id)
    locked = attempts.is_locked(profile, now)
    default_id = default_method_id(profile, methods)
    default = next((m for m in methods if m.method_id == default_id), None)
    can_verify = any(kind_of(m.method_type).mfa_capable for m in methods)
    token = data.get("rememberDeviceToken")
    remembered = bool(
        token
        and can_verify
        and not locked
        and policy.remember_device_days > 0
        and remembered_devices.check(user_id, token, profile, now)
    )
    return {
        "userId": user_id,
        "mfaRequired": can_verify and not remembered,
        # Skipped for now in the wizard (where the policy allows snoozing): no prompt until then.
        "registrationRequired": registration_required(policy, methods)
        and not (profile is not None and (profile.registration_snoozed_until or 0) > now),
        "defaultMethod": {"type": default.method_type, "id": default.method_id} if default else None,
        "locked": locked,
        # The user reported activity that wasn't them: the sign-in service may ask for more.
        "riskState": risk_state_of(profile),
        "rememberedDevice": remembered,
        # The sign-in service can suggest a new set while the user can still sign in with one.
        "recoveryCodesLow": recovery_codes.summary(recovery_codes.set_of(methods))["low"],
    }


def check_app_password(deps: Deps, service: Caller, body: Any) -> dict[str, Any]:
    """POST /signin/app-password-check: 200 ``{valid}``; a wrong password counts toward lockout
    (423 once locked)."""
    data = validate(body, CHECK_SCHEMA)
    caller = service._replace(user_id=data["userId"])
    return {"valid": app_passwords.check(deps, caller, data["userId"], data["password"])}
