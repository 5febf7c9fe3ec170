"""The answers' JSON Schemas (OpenAPI ``components.schemas``), written once here.

Answers may carry more fields than a schema names (clients ignore what they do not know), so
objects stay open unless a field must never be there; the request schemas, by contrast, are closed
and come from the domain's validation schemas (see ``contract.requests``).
"""

from __future__ import annotations

from typing import Any

from securityinfo.kernel import errors
from securityinfo.kernel.validation import body_json_schema
from securityinfo.methods.registry import METHOD_TYPES
from securityinfo.policy.validation import SCHEMA as POLICY_SCHEMA

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None, **extra: Any) -> Schema:
    """An object that must have ``required`` and may have ``optional`` (and anything else)."""
    out: Schema = {"type": "object", "properties": {**required, **(optional or {})}, **extra}
    if required:
        out["required"] = list(required)
    return out


STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
COUNT: Schema = {"type": "integer", "minimum": 0}
TIME: Schema = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC."}
TIME_OR_NULL: Schema = {"type": ["string", "null"], "format": "date-time"}
ID: Schema = {"type": "string", "minLength": 1, "description": "An opaque id."}
MASKED: Schema = {"type": "string", "description": "Masked: enough for the user to recognise it."}
CHANNEL: Schema = {"type": "string", "enum": ["sms", "voice", "email"]}
METHOD_TYPE: Schema = {"type": "string", "enum": list(METHOD_TYPES)}
# A Method's type: what can be registered, and the set of recovery codes (made by its own routes).
LISTED_TYPE: Schema = {"type": "string", "enum": [*METHOD_TYPES, "recoveryCodes"]}
RECOVERY_COUNTS = {"total": COUNT, "remaining": COUNT, "low": {**BOOLEAN, "description": "3 or fewer left."}}
PURPOSE: Schema = {"type": "string", "enum": ["mfa", "sspr", "stepUp"]}


def _error_codes() -> dict[int, tuple[str, ...]]:
    """Every code the domain answers, by status: one class each in kernel/errors.py."""
    found: dict[int, set[str]] = {}
    pending = list(errors.DomainError.__subclasses__())
    while pending:
        cls = pending.pop()
        found.setdefault(cls.status, set()).add(cls.code)
        pending.extend(cls.__subclasses__())
    return {status: tuple(sorted(codes)) for status, codes in sorted(found.items())}


ERROR_CODES = _error_codes()


def error_schema(status: int | None = None) -> Schema:
    """The error body; with a status, its ``code`` is one of that status's codes."""
    code: Schema = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "Stable, snake_case."}
    if status is not None:
        code = {"type": "string", "enum": list(ERROR_CODES[status])}
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": obj(
                {
                    "code": code,
                    "message": {
                        "type": "string",
                        "description": "What to do, for a person, in the language of Accept-Language.",
                    },
                },
                {
                    "field": {"type": "string", "description": "The JSON path of the field to fix."},
                    "attemptsLeft": COUNT,
                    "retryAfter": {**COUNT, "description": "Seconds until a new try is possible."},
                },
            )
        },
    }


METHOD = obj(
    {
        "id": ID,
        "type": LISTED_TYPE,
        "displayName": STRING,
        "createdAt": TIME,
        "lastUsedAt": TIME_OR_NULL,
        "isDefault": BOOLEAN,
        "usableFor": {"type": "array", "items": {"type": "string", "enum": ["mfa", "sspr"]}},
    },
    {
        "phoneType": {"type": "string", "enum": ["mobile", "alternateMobile", "office"]},
        "phoneNumber": MASKED,
        "channel": {"type": "string", "enum": ["sms", "voice"]},
        "emailAddress": MASKED,
        "deviceName": {"type": ["string", "null"]},
        "aaguid": {"type": ["string", "null"]},
        "model": {
            "type": "string",
            "description": 'securityKey: the authenticator\'s model, or "Security key"; hardwareOath: the '
            "token's model.",
        },
        "passkey": {
            **BOOLEAN,
            "description": "securityKey: a discoverable credential (signs in without a username).",
        },
        "synced": {
            **BOOLEAN,
            "description": "securityKey: backup eligible (synced); false: bound to one device.",
        },
        "attested": {
            **BOOLEAN,
            "description": "securityKey: its attestation chained to a root the policy trusts.",
        },
        "questionCount": COUNT,
        **RECOVERY_COUNTS,
        "serialNumber": {"type": "string", "description": "hardwareOath: the token's serial number."},
        "manufacturer": STRING,
    },
    description="A registered method, by type with its own fields; never a secret.",
)

SENT = obj({"sentTo": MASKED, "channel": CHANNEL}, description="Where a code went, masked.")

QUESTION = obj({"questionId": STRING, "text": STRING})

SECURITY_INFO = obj(
    {
        "userId": ID,
        "defaultMethodId": {"type": ["string", "null"]},
        "systemPreferred": BOOLEAN,
        "methods": {"type": "array", "items": ref("Method")},
        "appPasswords": obj({"enabled": BOOLEAN, "count": COUNT, "limit": COUNT}),
        "recoveryCodes": obj({"enabled": BOOLEAN, **RECOVERY_COUNTS}),
        "registration": obj(
            {
                "required": BOOLEAN,
                "missing": {
                    "type": "array",
                    "items": {"type": "string", "enum": [*METHOD_TYPES, "any"]},
                    "description": "Types still to register; `any`: one more method of any type.",
                },
            }
        ),
        "rememberDeviceDays": COUNT,
        "riskState": ref("RiskState"),
    }
)

REGISTRATION_STARTED = obj(
    {"registrationId": ID, "type": METHOD_TYPE, "expiresAt": TIME},
    {
        "secret": {"type": "string", "description": "softwareOath: the base32 secret."},
        "otpauthUri": STRING,
        "qrSvg": STRING,
        "activationCode": STRING,
        "activationUrl": STRING,
        "sentTo": MASKED,
        "channel": CHANNEL,
        "publicKey": {"type": "object", "description": "PublicKeyCredentialCreationOptionsJSON."},
        "serialNumber": {"type": "string", "description": "hardwareOath: the token being claimed."},
    },
    description="What the client shows to prove the new method; the fields depend on `type`.",
)

METHOD_ANSWER = obj({"method": ref("Method")})
PENDING = obj(
    {"status": {"const": "pending"}},
    {"numberToMatch": {"type": "string", "pattern": "^[1-9][0-9]$"}},
    description="The authenticator app has not approved the test notification yet.",
)

VERIFICATION_STATUS = {"type": "string", "enum": ["pending", "approved", "denied", "expired"]}
VERIFICATION_STARTED = obj(
    {
        "verificationId": ID,
        "methodId": ID,
        "type": LISTED_TYPE,
        "expiresAt": TIME,
        "challenge": {
            "type": "object",
            "description": "By type: `{sentTo, channel}` for a sent code, `{numberToMatch}` for the "
            "authenticator app, `{}` for a TOTP app or recovery codes, `{publicKey}` for a security "
            "key, `{questions}`.",
        },
    },
    {"purpose": PURPOSE},
)
VERIFICATION = obj(
    {"verificationId": ID, "status": VERIFICATION_STATUS},
    {"methodId": ID, "type": LISTED_TYPE, "purpose": PURPOSE, "expiresAt": TIME},
)
VERIFICATION_APPROVED = obj(
    {"status": {"const": "approved"}},
    {
        "verificationId": ID,
        "methodId": ID,
        "purpose": PURPOSE,
        "stepUpToken": {"type": "string", "description": "stepUp only: send as X-Step-Up-Token."},
        "stepUpExpiresAt": TIME,
        "rememberDeviceToken": {"type": "string", "description": "mfa with rememberDevice only."},
        "rememberDeviceExpiresAt": TIME,
        "rememberedDeviceId": ID,
        "ssprComplete": BOOLEAN,
    },
)
VERIFICATION_PENDING = obj({"status": {"const": "pending"}}, {"verificationId": ID})

APP_PASSWORD = obj({"id": ID, "name": STRING, "createdAt": TIME, "lastUsedAt": TIME_OR_NULL})
APP_PASSWORD_CREATED = {
    "allOf": [
        ref("AppPassword"),
        obj({"password": {"type": "string", "pattern": "^[a-z]{24}$", "description": "Shown once."}}),
    ]
}
REMEMBERED_DEVICE = obj(
    {"id": ID, "name": STRING, "createdAt": TIME, "lastUsedAt": TIME_OR_NULL, "expiresAt": TIME}
)

ENROLLMENT = obj(
    {
        "enrollmentId": ID,
        "status": {"type": "string", "enum": ["running", "succeeded", "snoozed", "expired", "failed"]},
        "step": {
            "anyOf": [
                {"type": "null"},
                obj(
                    {"id": ID, "page": STRING},
                    {
                        "actions": {"type": "array", "items": STRING},
                        "error": obj({"code": STRING, "message": STRING}, {"attemptsLeft": COUNT}),
                    },
                    description="The page to show and its data; `actions` are what it accepts.",
                ),
            ]
        },
    },
    {
        "completed": {
            "type": "array",
            "items": {"type": "string"},
            "description": "What the wizard has set up: method types, and `appPassword`.",
        }
    },
)

MFA_STATUS = obj(
    {
        "mfaRequired": BOOLEAN,
        "registrationRequired": BOOLEAN,
        "defaultMethod": {"anyOf": [{"type": "null"}, obj({"type": METHOD_TYPE, "id": ID})]},
        "locked": BOOLEAN,
        "riskState": ref("RiskState"),
        "recoveryCodesLow": {**BOOLEAN, "description": "The user's recovery codes are low (3 or fewer)."},
    },
    {"userId": ID, "rememberedDevice": BOOLEAN},
)

RISK_STATE: Schema = {
    "type": "string",
    "enum": ["none", "atRisk"],
    "description": '`atRisk` after the user reported activity as not theirs ("This wasn\'t me"), until '
    "an administrator dismisses it.",
}
ACTIVITY = obj(
    {
        "id": ID,
        "type": {"type": "string", "description": "The event's detail type."},
        "occurredAt": TIME,
        "summary": {"type": "string", "description": "What happened, in a sentence for a person."},
        "actor": {"type": "string", "enum": ["self", "admin", "system"]},
        "sourceIp": {"type": ["string", "null"]},
        "device": {
            "type": "string",
            "description": 'Browser and system from the user agent, e.g. "Chrome on Windows".',
        },
        "reported": BOOLEAN,
    },
    {"method": obj({"id": ID, "type": METHOD_TYPE, "displayName": MASKED})},
    description="One entry of Recent activity: masked, never a secret or a full number or address.",
)
ACTIVITY_PAGE = obj(
    {"activity": {"type": "array", "items": ref("Activity")}},
    {"nextCursor": {"type": "string", "description": "Opaque: send it back as `cursor` for the next page."}},
)

ADMIN_USER = {
    "allOf": [
        ref("SecurityInfo"),
        obj(
            {
                "appPasswordList": {"type": "array", "items": ref("AppPassword")},
                "rememberedDevices": {"type": "array", "items": ref("RememberedDevice")},
                "lockout": obj({"locked": BOOLEAN, "lockedUntil": TIME_OR_NULL, "failedCount": COUNT}),
                "riskSince": TIME_OR_NULL,
                "known": {
                    "type": "boolean",
                    "description": "Whether this service holds anything for the user (false: a mistyped "
                    "id, or someone who has never used security info).",
                },
                "temporaryAccessPass": {
                    "anyOf": [{"type": "null"}, obj({"expiresAt": TIME, "singleUse": BOOLEAN})]
                },
            }
        ),
    ]
}

DEVICE_ACTIVATED = obj(
    {
        "deviceId": ID,
        "accountName": STRING,
        "issuer": STRING,
        "totp": obj(
            {
                "secret": STRING,
                "period": {"type": "integer"},
                "digits": {"type": "integer"},
                "algorithm": {"const": "SHA1"},
            }
        ),
    }
)
DEVICE_PENDING = obj(
    {
        "requests": {
            "type": "array",
            "items": obj({"verificationId": ID, "app": STRING, "expiresAt": TIME}, {"location": STRING}),
        }
    }
)

# API Gateway's own refusals (no token, a bad one, no signature, too large) are not the error shape.
GATEWAY_MESSAGE = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "examples": ["Unauthorized", "Forbidden"]}},
    "description": 'API Gateway\'s own answer, before any function runs: `{"message": ...}`, '
    "not the error shape.",
}

COMPONENTS: dict[str, Schema] = {
    "Error": error_schema(),
    "GatewayMessage": GATEWAY_MESSAGE,
    "Method": METHOD,
    "SecurityInfo": SECURITY_INFO,
    "Sent": SENT,
    "Question": QUESTION,
    "SecurityQuestions": obj(
        {
            "questions": {"type": "array", "items": ref("Question")},
            "registerCount": COUNT,
            "answerCount": COUNT,
        }
    ),
    "RegistrationStarted": REGISTRATION_STARTED,
    "MethodAnswer": METHOD_ANSWER,
    "RegistrationPending": PENDING,
    "PhoneChangeStarted": obj({"registrationId": ID, "sentTo": MASKED, "channel": CHANNEL}),
    "DefaultMethod": obj({"defaultMethodId": {"type": ["string", "null"]}, "systemPreferred": BOOLEAN}),
    "VerificationStarted": VERIFICATION_STARTED,
    "Verification": VERIFICATION,
    "VerificationApproved": VERIFICATION_APPROVED,
    "VerificationPending": VERIFICATION_PENDING,
    "AppPassword": APP_PASSWORD,
    "AppPasswordList": obj(
        {"appPasswords": {"type": "array", "items": ref("AppPassword")}, "limit": COUNT}, {"enabled": BOOLEAN}
    ),
    "AppPasswordCreated": APP_PASSWORD_CREATED,
    "RecoveryCodesCreated": obj(
        {
            "methodId": ID,
            "codes": {
                "type": "array",
                "minItems": 10,
                "maxItems": 10,
                "items": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$"},
                "description": "Shown once; kept nowhere.",
            },
            "createdAt": TIME,
        }
    ),
    "RecoveryCodes": obj(
        RECOVERY_COUNTS,
        {"methodId": ID, "createdAt": TIME, "lastUsedAt": TIME_OR_NULL, "enabled": BOOLEAN},
        description="The caller's set, never a code: no `methodId` when there is none.",
    ),
    "RememberedDevice": REMEMBERED_DEVICE,
    "RememberedDeviceList": obj({"devices": {"type": "array", "items": ref("RememberedDevice")}}),
    "Enrollment": ENROLLMENT,
    "MfaStatus": MFA_STATUS,
    "AppPasswordCheck": obj({"valid": BOOLEAN}),
    "PasskeyOptions": obj(
        {
            "challengeId": ID,
            "publicKey": obj(
                {"challenge": STRING, "rpId": STRING, "userVerification": STRING},
                {"timeout": COUNT, "allowCredentials": {"type": "array", "maxItems": 0}},
                description="PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3), usernameless.",
            ),
        }
    ),
    "PasskeyVerified": obj({"userId": ID, "methodId": ID, "userVerified": BOOLEAN}),
    # What GET /admin/policy answers is valid PUT input: one schema, the validator's.
    "Policy": body_json_schema(POLICY_SCHEMA),
    "MethodTypes": obj(
        {
            "methodTypes": {
                "type": "array",
                "items": obj(
                    {
                        "type": METHOD_TYPE,
                        "label": STRING,
                        "usableFor": {"type": "array", "items": {"type": "string", "enum": ["mfa", "sspr"]}},
                        "mfaCapable": BOOLEAN,
                        "limit": COUNT,
                    }
                ),
            }
        }
    ),
    "AdminUser": ADMIN_USER,
    "TemporaryAccessPass": obj(
        {"temporaryAccessPass": STRING, "expiresAt": TIME},
        {"singleUse": BOOLEAN, "lifetimeMinutes": COUNT},
    ),
    "RiskState": RISK_STATE,
    "Activity": ACTIVITY,
    "ActivityPage": ACTIVITY_PAGE,
    "RiskReported": obj({"riskState": ref("RiskState")}),
    "HardwareTokensUploaded": obj(
        {
            "created": COUNT,
            "skipped": {
                "type": "array",
                "items": STRING,
                "description": "Serial numbers known already (left as they were).",
            },
        }
    ),
    "HardwareTokenList": obj(
        {
            "tokens": {
                "type": "array",
                "items": obj(
                    {
                        "serialNumber": STRING,
                        "manufacturer": STRING,
                        "model": STRING,
                        "status": {"type": "string", "enum": ["available", "assigned", "activated"]},
                    },
                    {"assignedTo": ID},
                    description="A token, never its secret.",
                ),
            }
        },
        {
            "nextCursor": {
                "type": "string",
                "description": "Opaque: send it back as `cursor` for the next page.",
            }
        },
    ),
    "DeviceActivated": DEVICE_ACTIVATED,
    "DevicePending": DEVICE_PENDING,
}
