"""The administrator's side (docs/RULES.md): the policy, and per-user view and resets.

The caller must carry the admin group (the ``AdminGroup`` template parameter) in the verified
``groups`` claim. Every action is an event with ``actor: admin:<id>`` about the user it touched, so
the audit trail and the notifier (which tells the user) see who did it.

Each admin route is its own function: what only some actions need (the method types, the user's
overview, app passwords, devices, recovery codes, activity, the wizard, notices) is imported by
those actions, so a function's cold start loads only its own action's modules.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.config import settings
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.errors import AdminRequired, Conflict, NotFound
from securityinfo.policy.model import current_policy, forget_cached_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    POLICY_PK,
    POLICY_SK,
    RISK_AT_RISK,
    TAP_SK,
    AppPasswordItem,
    Item,
    MethodItem,
    PolicyItem,
    ProfileItem,
    TemporaryAccessPassItem,
    profile_ref,
    profile_touch,
    risk_state_of,
    user_pk,
)
from securityinfo.verify import attempts

if TYPE_CHECKING:
    from securityinfo.wizard.service import Workflow

# Identity providers' subjects: UUIDs, "auth0|abc", e-mail-like ids. Never a key separator.
_USER_ID = re.compile(r"[A-Za-z0-9._@:|+=-]{1,128}")
# What someone holding the user's session could still use after a reset: gone with it.
_PENDING_PREFIXES = ("STEPUP#", "REG#", "VERIF#")
_TRANSACTION_LIMIT = 100
_ATTEMPTS = 3


def require_admin(caller: Caller) -> Caller:
    """The caller as an administrator (``actor: admin:<id>``), or 403."""
    if settings().admin_group not in caller.groups:
        raise AdminRequired("This needs an administrator of Security Info.")
    return caller._replace(actor=f"admin:{caller.user_id}")


def target_user(user_id: str) -> str:
    if not _USER_ID.fullmatch(user_id or ""):
        raise NotFound("No such user.")
    return user_id


# --- policy ------------------------------------------------------------------------------------


def get_policy(deps: Deps, caller: Caller) -> dict[str, Any]:
    """GET /admin/policy: the policy in force (what it returns is valid PUT input)."""
    require_admin(caller)
    return current_policy().to_dict()


def method_types(caller: Caller) -> dict[str, Any]:
    """GET /admin/method-types: the types a policy can name, as their modules declare them."""
    from securityinfo.methods.registry import described

    require_admin(caller)
    return {"methodTypes": described()}


def put_policy(deps: Deps, caller: Caller, body: Any) -> dict[str, Any]:
    """PUT /admin/policy: validate, store, drop this container's cached copy, emit PolicyChanged."""
    from securityinfo.policy.validation import changed_fields, validate_policy

    admin = require_admin(caller)
    document = validate_policy(body)
    forget_cached_policy()
    before = current_policy().to_dict()
    now = deps.clock.now()
    changed = changed_fields(before, document)
    with outbox.Change(deps) as tw:
        tw.save(PolicyItem(POLICY_PK, POLICY_SK, document=json.dumps(document), updated_at=now))
        if changed:
            # Nobody's own activity: the organization's activity partition.
            tw.emit(
                "PolicyChanged",
                events.detail(
                    admin,
                    now,
                    before=_only(before, changed),
                    after=_only(document, changed),
                    changedFields=changed,
                ),
                organization=True,
            )
    forget_cached_policy()
    return document


def _only(document: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The parts of ``document`` at the dotted ``paths``, nested as in the document."""
    out: dict[str, Any] = {}
    for path in paths:
        source: Any = document
        target = out
        keys = path.split(".")
        for key in keys[:-1]:
            source = source.get(key) if isinstance(source, dict) else None
            target = target.setdefault(key, {})
        target[keys[-1]] = source.get(keys[-1]) if isinstance(source, dict) else None
    return out


# --- one user ----------------------------------------------------------------------------------


def view_user(deps: Deps, caller: Caller, user_id: str) -> dict[str, Any]:
    """GET /admin/users/{userId}/security-info: masked, no secrets."""
    from securityinfo.manage import security_info
    from securityinfo.verify import app_passwords, remembered_devices

    require_admin(caller)
    uid = target_user(user_id)
    now = deps.clock.now()
    overview = security_info.overview(deps, Caller(user_id=uid))
    profile = store.get_profile(uid)
    locked = attempts.is_locked(profile, now)
    try:
        tap: TemporaryAccessPassItem | None = TemporaryAccessPassItem.get(user_pk(uid), TAP_SK)
    except TemporaryAccessPassItem.DoesNotExist:
        tap = None
    return {
        **overview,
        "appPasswordList": [app_passwords.view(i) for i in app_passwords.all_of(uid)],
        "rememberedDevices": [remembered_devices.view(d) for d in remembered_devices.live_devices(uid, now)],
        "lockout": {
            "locked": locked,
            "lockedUntil": iso(profile.locked_until) if locked and profile and profile.locked_until else None,
            "failedCount": int(profile.failed_count or 0) if profile is not None else 0,
        },
        # An id nobody has used looks like a user without methods; the page says which it is.
        "known": profile is not None or bool(overview["methods"]) or store.known(uid),
        "riskSince": (
            iso(profile.risk_since)
            if profile is not None and profile.risk_state == RISK_AT_RISK and profile.risk_since
            else None
        ),
        "temporaryAccessPass": (
            {"expiresAt": iso(tap.expires_at), "singleUse": tap.single_use}
            if tap is not None and tap.expires_at > now
            else None
        ),
    }


def clear_security_info(deps: Deps, caller: Caller, user_id: str, workflow: Workflow | None = None) -> None:
    """DELETE /admin/users/{userId}/security-info: every method, app password and remembered device
    gone, pending registrations, step-up grants and a running wizard too; the user registers again at
    next sign-in. Each former phone and address still hears about it (notify targets written with
    the removal, referenced from the event)."""
    from securityinfo.manage import recovery_codes
    from securityinfo.methods import recovery_codes as recovery_kind
    from securityinfo.methods.registry import kind_of
    from securityinfo.notices import notifications
    from securityinfo.verify import app_passwords
    from securityinfo.wizard import service as wizard

    admin = require_admin(caller)
    uid = target_user(user_id)
    now = deps.clock.now()
    # First, so no wizard step registers anything after the clear (the workflow cleans up its own).
    wizard.end_running(deps, uid, workflow)
    _delete_pending(uid)
    for _ in range(_ATTEMPTS):
        profile, methods = store.methods_and_profile(uid)
        passwords = app_passwords.all_of(uid)
        # The authenticator app's device record, a security key's credential-id claim: they go too.
        linked = [item for m in methods for item in kind_of(m.method_type).linked_items(m)]
        # A hardware token the user had claimed is free again.
        released = [c for m in methods for c in kind_of(m.method_type).released(m)]
        targets = [t for m in methods if (t := notifications.removal_target(uid, m, now)) is not None]
        if (
            len(methods) + len(linked) + len(released) + len(passwords) + len(targets) + 3
            > _TRANSACTION_LIMIT
        ):
            raise Conflict("Too many items to clear at once; try again.")
        try:
            with outbox.Change(deps) as tw:
                for method in methods:
                    tw.delete(method, condition=MethodItem.pk.exists())
                for item in linked:
                    tw.delete(item)
                for freed in released:
                    tw.update(freed.item, actions=freed.actions, condition=freed.condition)
                for password in passwords:
                    tw.delete(password, condition=AppPasswordItem.pk.exists())
                for target in targets:
                    tw.save(target)
                # The remembered devices go with the rest: a new generation revokes every token.
                tw.update(
                    profile_ref(uid),
                    actions=[
                        *_cleared_profile(),
                        ProfileItem.remember_generation.add(1),
                        # Registrations and wizards begun before this clear can no longer save.
                        ProfileItem.clear_epoch.add(1),
                    ],
                    condition=_unchanged(profile),
                )
                tw.emit(
                    "SecurityInfoCleared",
                    events.detail(
                        admin,
                        now,
                        user_id=uid,
                        methodsRemoved=[
                            {"methodType": m.method_type, "methodId": m.method_id} for m in methods
                        ],
                        appPasswordsDeleted=len(passwords),
                        notifyRefs=[notifications.target_ref(t) for t in targets],
                    ),
                )
                recovery_set = recovery_kind.set_of(methods)
                if recovery_set is not None:
                    # Deleted above with the other methods; its own event for the audit trail.
                    recovery_codes.emit_deleted(
                        tw, admin, uid, recovery_set, now, reason="security_info_cleared"
                    )
        except TransactWriteError:
            continue  # the user changed something meanwhile: read again and retry
        break
    else:
        raise Conflict("The user's security info kept changing; try again.")
    for method in methods:
        kind_of(method.method_type).after_removal(deps, method)


def _cleared_profile() -> list[Any]:
    from securityinfo.methods.registry import LIMIT_COUNTERS

    # By name: pynamodb attributes overload ==, so they cannot go in a set.
    counters = {
        c.attr_name: c
        for c in (ProfileItem.method_count, ProfileItem.mfa_count, ProfileItem.app_password_count)
    }
    counters.update({c.attr_name: c for c in LIMIT_COUNTERS.values()})
    return [
        *profile_touch(),
        *(counter.set(0) for counter in counters.values()),
        ProfileItem.default_method_id.remove(),
        ProfileItem.system_preferred.set(False),
    ]


def _unchanged(profile: ProfileItem | None) -> Any:
    """Nothing was added or removed since the read: the counters are as they were."""
    condition = None
    for counter in (ProfileItem.method_count, ProfileItem.app_password_count):
        value = getattr(profile, counter.attr_name) if profile is not None else None
        part = counter.does_not_exist() if value is None else counter == value
        condition = part if condition is None else condition & part
    return condition


def _delete_pending(user_id: str) -> None:
    for prefix in _PENDING_PREFIXES:
        for item in Item.query(user_pk(user_id), Item.sk.startswith(prefix)):
            item.delete()


def delete_app_passwords(deps: Deps, caller: Caller, user_id: str) -> None:
    """DELETE /admin/users/{userId}/app-passwords."""
    from securityinfo.verify import app_passwords

    admin = require_admin(caller)
    uid = target_user(user_id)
    now = deps.clock.now()
    app_passwords.delete_all(
        deps, uid, lambda count: events.detail(admin, now, user_id=uid, deletedCount=count)
    )


def delete_recovery_codes(deps: Deps, caller: Caller, user_id: str) -> None:
    """DELETE /admin/users/{userId}/recovery-codes: 204 whether or not the user had a set."""
    from securityinfo.manage import recovery_codes
    from securityinfo.methods import recovery_codes as recovery_kind

    admin = require_admin(caller)
    uid = target_user(user_id)
    _, methods = store.methods_and_profile(uid)
    recovery_codes.remove_set(deps, admin, uid, recovery_kind.set_of(methods), deps.clock.now())


def forget_devices(deps: Deps, caller: Caller, user_id: str) -> None:
    """DELETE /admin/users/{userId}/remembered-devices: every device asks for the second factor again."""
    from securityinfo.verify import remembered_devices

    admin = require_admin(caller)
    uid = target_user(user_id)
    now = deps.clock.now()
    remembered_devices.revoke_all(
        deps, uid, events.detail(admin, now, user_id=uid, scope="all", reason="admin_reset")
    )


def issue_temporary_access_pass(deps: Deps, caller: Caller, user_id: str, body: Any) -> dict[str, Any]:
    """POST /admin/users/{userId}/temporary-access-pass: 201, the only time the pass is shown."""
    from securityinfo.verify import temporary_access

    admin = require_admin(caller)
    uid = target_user(user_id)
    return temporary_access.issue(deps, admin, uid, body, current_policy())


def unlock(deps: Deps, caller: Caller, user_id: str) -> None:
    """POST /admin/users/{userId}/unlock: lift a lockout and forget the run of failures."""
    admin = require_admin(caller)
    uid = target_user(user_id)
    now = deps.clock.now()
    profile = store.get_profile(uid)
    locked_until = profile.locked_until if profile is not None and attempts.is_locked(profile, now) else None
    with outbox.Change(deps) as tw:
        tw.update(profile_ref(uid), actions=attempts.unlock_actions())
        tw.emit(
            "UserUnlocked",
            events.detail(
                admin,
                now,
                user_id=uid,
                previouslyLockedUntil=iso(locked_until) if locked_until else None,
            ),
        )


def user_activity(deps: Deps, caller: Caller, user_id: str, params: dict[str, str]) -> dict[str, Any]:
    """GET /admin/users/{userId}/activity: the user's Recent activity, as they see it."""
    from securityinfo.manage import activity

    require_admin(caller)
    return activity.page_of(deps, target_user(user_id), params, caller.language)


def dismiss_risk(deps: Deps, caller: Caller, user_id: str) -> None:
    """POST /admin/users/{userId}/risk/dismiss: riskState back to none, with UserRiskDismissed. A
    user who is not at risk is left as is (no event): dismissing twice is one dismissal."""
    admin = require_admin(caller)
    uid = target_user(user_id)
    now = deps.clock.now()
    profile = store.get_profile(uid, consistent=True)
    if profile is None or profile.risk_state != RISK_AT_RISK:
        return
    try:
        with outbox.Change(deps) as tw:
            tw.update(
                profile_ref(uid),
                actions=[ProfileItem.risk_state.remove(), ProfileItem.risk_since.remove()],
                # The report the administrator looked at: a newer one that lands meanwhile wins.
                condition=(ProfileItem.risk_state == RISK_AT_RISK)
                & (ProfileItem.risk_since == profile.risk_since)
                if profile.risk_since is not None
                else ProfileItem.risk_state == RISK_AT_RISK,
            )
            tw.emit(
                "UserRiskDismissed",
                events.detail(
                    admin,
                    now,
                    user_id=uid,
                    atRiskSince=iso(profile.risk_since) if profile.risk_since else None,
                ),
            )
    except TransactWriteError:
        # Dismissed by another administrator meanwhile: done. Still at risk: a write that failed
        # otherwise (or a new report at that moment), so say to try again.
        if risk_state_of(store.get_profile(uid, consistent=True)) == RISK_AT_RISK:
            raise Conflict("The user's risk state changed meanwhile; look again and retry.") from None


# --- hardware OATH tokens (manage/hardware_tokens.py) ------------------------------------------


def upload_hardware_tokens(deps: Deps, caller: Caller, body: Any) -> dict[str, Any]:
    """POST /admin/hardware-tokens: 1 to 500 tokens; 201 ``{created, skipped}``."""
    from securityinfo.manage import hardware_tokens

    return hardware_tokens.upload(deps, require_admin(caller), body)


def list_hardware_tokens(deps: Deps, caller: Caller, params: dict[str, str]) -> dict[str, Any]:
    """GET /admin/hardware-tokens: one page, never a secret."""
    from securityinfo.manage import hardware_tokens

    require_admin(caller)
    return hardware_tokens.listing(params)


def assign_hardware_token(deps: Deps, caller: Caller, serial_number: str, body: Any) -> None:
    """POST /admin/hardware-tokens/{serialNumber}/assign: only that user may claim it."""
    from securityinfo.manage import hardware_tokens

    hardware_tokens.assign(deps, require_admin(caller), serial_number, body)


def delete_hardware_token(deps: Deps, caller: Caller, serial_number: str) -> None:
    """DELETE /admin/hardware-tokens/{serialNumber}: with the method of the user who activated it."""
    from securityinfo.manage import hardware_tokens

    hardware_tokens.delete(deps, require_admin(caller), serial_number)
