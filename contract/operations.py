"""What each route does and answers: the part of the contract that is not a request schema.

Keyed by the template's route keys; ``contract.openapi`` fails when a route in template.yaml has no
entry here or an entry names a route the template lacks. Answers name a component of
``contract.schemas`` (or None for an empty 204); the error answers every route of a kind shares
(authorization, bad input, dependencies) are added by ``contract.openapi``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Answer:
    description: str
    schema: str | list[str] | None = None  # component name(s); a list means any of them


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    answers: dict[int, Answer]
    description: str = ""
    step_up: bool = False  # (S): needs X-Step-Up-Token (or X-Temporary-Access-Pass, or bootstrap)
    idempotent: bool = False  # accepts Idempotency-Key
    admin: bool = False
    errors: dict[int, str] = field(default_factory=dict)  # route-specific error answers
    query: dict[str, dict[str, Any]] = field(default_factory=dict)  # query parameters: name -> schema


NO_CONTENT = Answer("Done; no body.")

# Recent activity's paging (manage/activity.py): a page size and the opaque cursor of the last page.
ACTIVITY_QUERY: dict[str, dict[str, Any]] = {
    "limit": {
        "type": "string",
        "pattern": "^[0-9]+$",
        "description": "Entries per page, 1 to 50 (default 20).",
        "examples": ["20"],
    },
    "cursor": {
        "type": "string",
        "minLength": 1,
        "description": "The `nextCursor` of the previous page, as given (opaque).",
    },
}
ACTIVITY_PAGE_ERRORS = {
    400: "`limit` is not 1 to 50, or `cursor` is not one this list gave (`invalid_cursor`: start "
    "again without it)."
}

OPERATIONS: dict[str, Operation] = {
    "GET /me/security-info": Operation(
        "The caller's methods, default, app passwords and what registration still needs",
        "Security info",
        {200: Answer("The caller's security info.", "SecurityInfo")},
    ),
    "GET /me/security-questions": Operation(
        "The policy's security questions and how many to register and answer",
        "Security info",
        {200: Answer("The questions.", "SecurityQuestions")},
    ),
    "POST /me/methods": Operation(
        "Start registering a method",
        "Security info",
        {
            201: Answer(
                "The registration started (prove the method with its id), or, for security "
                "questions, the method registered at once.",
                ["RegistrationStarted", "MethodAnswer"],
            )
        },
        "The body is chosen by `type`. A repeat with the same Idempotency-Key within an hour returns "
        "the first answer.",
        step_up=True,
        idempotent=True,
        errors={
            404: "Not found.",
            409: "A limit of this type is reached (`method_limit`), or the key was used for another body.",
            423: "Locked out after too many wrong answers; `retryAfter`.",
            429: "Too many codes sent; `retryAfter` and a Retry-After header.",
            502: "The code could not be sent (`code_delivery_failed`).",
        },
    ),
    "POST /me/methods/registrations/{registrationId}": Operation(
        "Prove a new method: complete its registration",
        "Security info",
        {
            201: Answer("The method is registered.", "MethodAnswer"),
            202: Answer(
                "The authenticator app's test notification is not approved yet.", "RegistrationPending"
            ),
        },
        "`{code}` for a sent code or a TOTP app, `{credential}` for a security key, `{}` for the "
        "authenticator app (poll until the test notification is approved). A wrong code answers 400 "
        "`invalid_code` with `attemptsLeft`; one that used up its tries 410 `code_expired`.",
        errors={
            404: "No such registration (or another user's).",
            409: "A limit is reached or the credential is registered already.",
            410: "The registration or its code expired.",
            423: "Locked out; `retryAfter`.",
        },
    ),
    "POST /me/methods/registrations/{registrationId}/resend": Operation(
        "Send a registration's code again",
        "Security info",
        {202: Answer("Sent again.", "Sent")},
        idempotent=True,
        errors={
            404: "No such registration.",
            409: "The key was used for another request.",
            410: "The registration expired.",
            423: "Locked out (no code is sent while locked); `retryAfter`.",
            429: "Inside the cooldown or over the send limit; `retryAfter` and Retry-After.",
            502: "The code could not be sent.",
        },
    ),
    "PATCH /me/methods/{methodId}": Operation(
        "Rename a method, or change a phone's channel or number",
        "Security info",
        {
            200: Answer("Changed at once.", "MethodAnswer"),
            202: Answer(
                "A new phone number: a code went to it; it replaces the old number once proved "
                "through POST /me/methods/registrations/{registrationId}.",
                "PhoneChangeStarted",
            ),
        },
        step_up=True,
        errors={
            404: "No such method.",
            409: "The number is in use by another of the caller's phones.",
            429: "Too many codes sent.",
            502: "The code could not be sent.",
        },
    ),
    "DELETE /me/methods/{methodId}": Operation(
        "Remove a method", "Security info", {204: NO_CONTENT}, step_up=True, errors={404: "No such method."}
    ),
    "PUT /me/default-method": Operation(
        "Choose the default method, or let the system prefer the strongest",
        "Security info",
        {200: Answer("The new default.", "DefaultMethod")},
        "`{methodId}` or `{systemPreferred: true}`.",
        step_up=True,
        errors={404: "No such method."},
    ),
    "POST /me/verifications": Operation(
        "Start a verification (sign-in MFA, password reset or step-up)",
        "Verifications",
        {201: Answer("Started; `challenge` says what to show.", "VerificationStarted")},
        "Without `methodId`, the default method.",
        idempotent=True,
        errors={
            404: "No such method.",
            409: "The key was used for another request.",
            423: "Locked out; `retryAfter`.",
            429: "Too many codes sent, or too many push requests (`too_many_push_requests`); `retryAfter`.",
            502: "The code could not be sent.",
        },
    ),
    "GET /me/verifications/{verificationId}": Operation(
        "A verification's status (poll while a push waits)",
        "Verifications",
        {200: Answer("The status.", "Verification")},
        errors={404: "No such verification."},
    ),
    "POST /me/verifications/{verificationId}": Operation(
        "Answer a verification",
        "Verifications",
        {
            200: Answer("Approved; a stepUp verification carries a step-up token.", "VerificationApproved"),
            202: Answer("The authenticator app has not answered yet.", "VerificationPending"),
        },
        "The body depends on the method: `{code}`, `{credential}`, `{answers}` or `{}`; "
        "`rememberDevice` (mfa only) asks for a remembered-device token.",
        errors={
            404: "No such verification.",
            409: "Answered already.",
            410: "Expired, denied or used up its tries.",
            423: "Locked out; `retryAfter`.",
        },
    ),
    "POST /me/verifications/{verificationId}/resend": Operation(
        "Send a verification's code again",
        "Verifications",
        {202: Answer("Sent again.", "Sent")},
        idempotent=True,
        errors={
            404: "No such verification.",
            409: "The key was used for another request.",
            410: "The verification expired or is finished.",
            423: "Locked out (no code is sent while locked); `retryAfter`.",
            429: "Inside the cooldown or over the send limit; `retryAfter` and Retry-After.",
            502: "The code could not be sent.",
        },
    ),
    "GET /me/app-passwords": Operation(
        "The caller's app passwords (never the passwords)",
        "App passwords and remembered devices",
        {200: Answer("The list.", "AppPasswordList")},
    ),
    "POST /me/app-passwords": Operation(
        "Create an app password: the only time it is shown",
        "App passwords and remembered devices",
        {201: Answer("Created.", "AppPasswordCreated")},
        step_up=True,
        idempotent=True,
        errors={409: "The limit is reached (`app_password_limit`) or the key was used for another body."},
    ),
    "DELETE /me/app-passwords/{appPasswordId}": Operation(
        "Delete an app password",
        "App passwords and remembered devices",
        {204: NO_CONTENT},
        step_up=True,
        errors={404: "No such app password."},
    ),
    "GET /me/recovery-codes": Operation(
        "How many of the caller's recovery codes are left (never a code)",
        "Recovery codes",
        {200: Answer("The set's counts.", "RecoveryCodes")},
    ),
    "POST /me/recovery-codes": Operation(
        "Create a set of 10 recovery codes: the only time they are shown",
        "Recovery codes",
        {201: Answer("Created; an older set stopped working at once.", "RecoveryCodesCreated")},
        "Needs a method for two-step verification (400 `no_method_registered`) and the policy's "
        "`recoveryCodes.enabled` (403 `recovery_codes_disabled`). Verify with one by starting a "
        "verification with the set's `methodId` and completing it with `{code}`.",
        step_up=True,
        errors={
            400: "No method for two-step verification yet (`no_method_registered`).",
            409: "The set was replaced at the same time (`recovery_codes_changed`).",
        },
    ),
    "DELETE /me/recovery-codes": Operation(
        "Delete the caller's recovery codes", "Recovery codes", {204: NO_CONTENT}, step_up=True
    ),
    "GET /me/remembered-devices": Operation(
        "Devices that skip MFA for a while",
        "App passwords and remembered devices",
        {200: Answer("The list.", "RememberedDeviceList")},
    ),
    "DELETE /me/remembered-devices/{deviceId}": Operation(
        "Forget one remembered device (it asks again)",
        "App passwords and remembered devices",
        {204: NO_CONTENT},
        step_up=True,
        errors={404: "No such device."},
    ),
    "DELETE /me/remembered-devices": Operation(
        "Forget every remembered device",
        "App passwords and remembered devices",
        {204: NO_CONTENT},
        step_up=True,
    ),
    "POST /me/enrollment": Operation(
        'Start (or resume) the "Keep your account secure" wizard',
        "Enrollment wizard",
        {
            200: Answer("A running wizard, resumed.", "Enrollment"),
            201: Answer("A new wizard.", "Enrollment"),
        },
        "A user who already has a method for sign-in needs a step-up to start it; the running wizard "
        "then counts as stepped-up.",
        step_up=True,
        errors={409: "The wizard is starting already."},
    ),
    "GET /me/enrollment": Operation(
        "The wizard's state and current page",
        "Enrollment wizard",
        {200: Answer("The wizard.", "Enrollment")},
        errors={404: "No wizard.", 410: "The wizard expired."},
    ),
    "POST /me/enrollment/steps/{stepId}": Operation(
        "Answer the wizard's current page",
        "Enrollment wizard",
        {202: Answer("The wizard moved on (or shows the same page with `step.error`).", "Enrollment")},
        "`action` is one of the page's `actions`; `next` carries the page's input.",
        errors={
            404: "No wizard.",
            409: "`stepId` is not the current step (`stale_step`).",
            410: "The wizard expired or ended.",
        },
    ),
    "POST /signin/mfa-status": Operation(
        "Sign-in service: does this user need MFA now",
        "Sign-in service",
        {200: Answer("The user's MFA status.", "MfaStatus")},
    ),
    "POST /signin/app-password-check": Operation(
        "Sign-in service: check an app password",
        "Sign-in service",
        {200: Answer("Whether it is valid; a wrong one counts toward lockout.", "AppPasswordCheck")},
        errors={423: "Locked out; `retryAfter`."},
    ),
    "POST /signin/passkey/options": Operation(
        "Sign-in service: options for a usernameless passkey sign-in",
        "Sign-in service",
        {
            200: Answer(
                "A single-use challenge (5 minutes) and request options without allowCredentials.",
                "PasskeyOptions",
            )
        },  # fmt: skip
    ),
    "POST /signin/passkey/verify": Operation(
        "Sign-in service: which user and passkey a passwordless answer proves",
        "Sign-in service",
        {200: Answer("The user and method proved.", "PasskeyVerified")},
        "Signature, origin, RP id, user handle, signature counter and user verification (per the "
        "policy) are checked; a wrong answer for a known credential counts toward its user's lockout.",
        errors={
            400: "The answer does not verify, or names no registered credential (`invalid_credential`).",
            410: "The challenge was used already or expired (`challenge_expired`); ask for new options.",
            423: "The user is locked out; `retryAfter`.",
        },
    ),
    "GET /admin/policy": Operation(
        "The policy", "Administration", {200: Answer("The policy.", "Policy")}, admin=True
    ),
    "GET /admin/method-types": Operation(
        "The method types a policy can name",
        "Administration",
        {200: Answer("Each type with its label, purposes and registration limit.", "MethodTypes")},
        admin=True,
    ),
    "PUT /admin/policy": Operation(
        "Replace the policy (checked as a whole)",
        "Administration",
        {200: Answer("The stored policy.", "Policy")},
        "A 400 names the first field that is wrong or inconsistent with another (`invalid_policy`).",
        admin=True,
    ),
    "GET /admin/users/{userId}/security-info": Operation(
        "A user's security info, masked, with app passwords, devices, lockout and pass",
        "Administration",
        {200: Answer("The user's security info.", "AdminUser")},
        admin=True,
    ),
    "DELETE /admin/users/{userId}/security-info": Operation(
        "Clear a user's methods, app passwords and remembered devices (registration required again)",
        "Administration",
        {204: NO_CONTENT},
        admin=True,
    ),
    "DELETE /admin/users/{userId}/app-passwords": Operation(
        "Delete a user's app passwords", "Administration", {204: NO_CONTENT}, admin=True
    ),
    "DELETE /admin/users/{userId}/remembered-devices": Operation(
        "Forget a user's remembered devices", "Administration", {204: NO_CONTENT}, admin=True
    ),
    "POST /admin/users/{userId}/temporary-access-pass": Operation(
        "Issue a temporary access pass",
        "Administration",
        {201: Answer("The pass, shown once.", "TemporaryAccessPass")},
        admin=True,
    ),
    "DELETE /admin/users/{userId}/recovery-codes": Operation(
        "Delete a user's recovery codes", "Administration", {204: NO_CONTENT}, admin=True
    ),
    "POST /admin/users/{userId}/unlock": Operation(
        "Unlock a locked-out user", "Administration", {204: NO_CONTENT}, admin=True
    ),
    "POST /admin/hardware-tokens": Operation(
        "Upload hardware OATH tokens",
        "Administration",
        {201: Answer("Uploaded; serial numbers known already were skipped.", "HardwareTokensUploaded")},
        "1 to 500 tokens at a time. Each secret is sealed with the service's KMS key and never "
        "returned. A bad token answers 400 naming its field, e.g. `tokens[3].digits`.",
        admin=True,
    ),
    "GET /admin/hardware-tokens": Operation(
        "List the hardware OATH tokens",
        "Administration",
        {200: Answer("One page by serial number; `nextCursor` when there is more.", "HardwareTokenList")},
        "Never a secret. `assignedTo`: the user it is assigned to, or who activated it.",
        admin=True,
        errors={400: "`cursor` is not one this list gave (`invalid_cursor`: start again without it)."},
        query={
            "cursor": {
                "type": "string",
                "minLength": 1,
                "description": "The `nextCursor` of the previous page, as given (opaque).",
            }
        },
    ),
    "POST /admin/hardware-tokens/{serialNumber}/assign": Operation(
        "Assign a hardware token to a user",
        "Administration",
        {204: NO_CONTENT},
        "Only that user may claim it then. An activated token is refused (`hardware_token_activated`).",
        admin=True,
        errors={404: "No such token.", 409: "The token is activated (a user's method)."},
    ),
    "DELETE /admin/hardware-tokens/{serialNumber}": Operation(
        "Delete a hardware token",
        "Administration",
        {204: NO_CONTENT},
        "Also removes the method of the user who activated it (they are told, as for any removal).",
        admin=True,
        errors={404: "No such token.", 409: "The token or its user's security info changed meanwhile."},
    ),
    "GET /me/activity": Operation(
        "The caller's Recent activity, newest first",
        "Recent activity",
        {200: Answer("One page; `nextCursor` when there is more.", "ActivityPage")},
        "Kept for the policy's `activityDays`. One page per call: pass `nextCursor` back as `cursor`.",
        errors=ACTIVITY_PAGE_ERRORS,
        query=ACTIVITY_QUERY,
    ),
    "POST /me/activity/{activityId}/report": Operation(
        "\"This wasn't me\": report an entry of the caller's activity",
        "Recent activity",
        {202: Answer("Reported (or reported before: nothing is repeated).", "RiskReported")},
        "Marks the user `atRisk`, forgets every remembered device, tells the user on every channel and "
        "alerts the administrators. Reporting the same entry again changes nothing and answers the "
        "user's risk state as it is.",
        errors={404: "No such entry (or another user's, or older than `activityDays`)."},
    ),
    "GET /admin/users/{userId}/activity": Operation(
        "A user's Recent activity",
        "Administration",
        {200: Answer("One page; `nextCursor` when there is more.", "ActivityPage")},
        admin=True,
        errors=ACTIVITY_PAGE_ERRORS,
        query=ACTIVITY_QUERY,
    ),
    "POST /admin/users/{userId}/risk/dismiss": Operation(
        "Dismiss a user's atRisk state",
        "Administration",
        {204: NO_CONTENT},
        "A user who is not at risk is left as is.",
        admin=True,
        errors={409: "The risk state changed meanwhile; look again."},
    ),
    "POST /devices/activate": Operation(
        "Authenticator app: bind the app's key by the activation code",
        "Authenticator app",
        {201: Answer("Activated; the app also gets the TOTP secret.", "DeviceActivated")},
        errors={404: "Unknown activation code.", 410: "The activation code expired."},
    ),
    "GET /devices/{deviceId}/pending": Operation(
        "Authenticator app: notifications waiting for an answer",
        "Authenticator app",
        {200: Answer("Waiting requests.", "DevicePending")},
    ),
    "POST /devices/{deviceId}/approvals/{verificationId}": Operation(
        "Authenticator app: approve, deny or report a notification",
        "Authenticator app",
        {204: NO_CONTENT},
        "`numberEntered` is required to approve; a wrong number (400 `number_mismatch`) denies.",
        errors={
            404: "No such request.",
            409: "Answered already.",
            410: "The request expired.",
            423: "The user is locked out.",
        },
    ),
}
