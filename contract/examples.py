"""Examples in the document: request bodies and answers as a client would see them. Each is checked
against its schema by tests/unit/test_openapi.py, so an example cannot drift from the contract."""

from __future__ import annotations

from typing import Any

_METHOD = {
    "id": "m7k2q9x4w1",
    "type": "phone",
    "displayName": "Phone",
    "createdAt": "2025-01-10T09:30:00Z",
    "lastUsedAt": None,
    "isDefault": True,
    "usableFor": ["mfa", "sspr"],
    "phoneType": "mobile",
    "phoneNumber": "+1 ••••••••67",
    "channel": "sms",
}

REQUESTS: dict[str, Any] = {
    "POST /me/methods": {
        "type": "phone",
        "phoneType": "mobile",
        "phoneNumber": "+15551234567",
        "channel": "sms",
    },
    "POST /me/methods/registrations/{registrationId}": {"code": "123456"},
    "PATCH /me/methods/{methodId}": {"displayName": "Work phone"},
    "PUT /me/default-method": {"methodId": "m7k2q9x4w1"},
    "POST /me/verifications": {"purpose": "stepUp"},
    "POST /me/verifications/{verificationId}": {"code": "123456"},
    "POST /me/app-passwords": {"name": "Mail on my laptop"},
    "POST /me/enrollment/steps/{stepId}": {"action": "next", "code": "123456"},
    "POST /signin/mfa-status": {"userId": "3f0c9a1e-user"},
    "POST /signin/app-password-check": {"userId": "3f0c9a1e-user", "password": "abcdefghijklmnopqrstuvwx"},
    "POST /admin/users/{userId}/temporary-access-pass": {"lifetimeMinutes": 60, "singleUse": True},
    "POST /admin/hardware-tokens": {
        "tokens": [
            {
                "serialNumber": "OATH0001234",
                "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
                "manufacturer": "Contoso",
                "model": "TOTP-6",
                "digits": 6,
                "periodSeconds": 30,
                "hashFunction": "sha1",
            }
        ]
    },
    "POST /admin/hardware-tokens/{serialNumber}/assign": {"userId": "3f0c9a1e-user"},
    "POST /devices/{deviceId}/approvals/{verificationId}": {"decision": "approve", "numberEntered": "42"},
}

RESPONSES: dict[tuple[str, int], Any] = {
    ("POST /me/methods", 201): {
        "registrationId": "r4n8c2v6b0",
        "type": "phone",
        "expiresAt": "2025-01-10T09:40:00Z",
        "sentTo": "+1 ••••••••67",
        "channel": "sms",
    },
    ("POST /me/methods/registrations/{registrationId}", 201): {"method": _METHOD},
    ("POST /me/verifications", 201): {
        "verificationId": "m7k2q9x4w1.v3b5n7m9",
        "methodId": "m7k2q9x4w1",
        "type": "phone",
        "purpose": "stepUp",
        "expiresAt": "2025-01-10T09:35:00Z",
        "challenge": {"sentTo": "+1 ••••••••67", "channel": "sms"},
    },
    ("POST /me/verifications/{verificationId}", 200): {
        "status": "approved",
        "verificationId": "m7k2q9x4w1.v3b5n7m9",
        "methodId": "m7k2q9x4w1",
        "purpose": "stepUp",
        "stepUpToken": "st_9d8c7b6a5f4e3d2c1b0a",
        "stepUpExpiresAt": "2025-01-10T09:45:00Z",
    },
    ("POST /me/app-passwords", 201): {
        "id": "a1b2c3d4e5",
        "name": "Mail on my laptop",
        "createdAt": "2025-01-10T09:30:00Z",
        "lastUsedAt": None,
        "password": "qwertyuiopasdfghjklzxcvb",
    },
    ("POST /me/recovery-codes", 201): {
        "methodId": "rc0f3a9c2e7b1d5a8e4c6b",
        "codes": [
            "7K2QX-M4W1B",
            "9D8C7-B6AF4",
            "E3D2C-1B0AZ",
            "HJ4KM-N5P6Q",
            "R7S8T-V9WXY",
            "ZA1B2-C3D4E",
            "F5G6H-J7K8M",
            "N9P0Q-R1S2T",
            "V3W4X-Y5Z6A",
            "B7C8D-E9F0G",
        ],
        "createdAt": "2025-01-10T09:30:00Z",
    },
    ("POST /signin/mfa-status", 200): {
        "userId": "3f0c9a1e-user",
        "mfaRequired": True,
        "registrationRequired": False,
        "defaultMethod": {"type": "phone", "id": "m7k2q9x4w1"},
        "locked": False,
        "riskState": "none",
        "rememberedDevice": False,
        "recoveryCodesLow": False,
    },
    ("GET /me/activity", 200): {
        "activity": [
            {
                "id": "173650140000000f3c2b1a0d9e8f7a6",
                "type": "MethodRegistered",
                "occurredAt": "2025-01-10T09:30:00Z",
                "summary": "A phone (+1 ••••••••67) was added.",
                "actor": "self",
                "method": {"id": "m7k2q9x4w1", "type": "phone", "displayName": "Mobile"},
                "sourceIp": "203.0.113.7",
                "device": "Chrome on Windows",
                "reported": False,
            }
        ],
        "nextCursor": "MTczNjUwMTQwMDAwMDAwNGYzYzJiMWEwZDllOGY3YTYuMWQ",
    },
    ("POST /me/activity/{activityId}/report", 202): {"riskState": "atRisk"},
    ("POST /admin/hardware-tokens", 201): {"created": 1, "skipped": []},
    ("GET /admin/hardware-tokens", 200): {
        "tokens": [
            {
                "serialNumber": "OATH0001234",
                "manufacturer": "Contoso",
                "model": "TOTP-6",
                "status": "assigned",
                "assignedTo": "3f0c9a1e-user",
            }
        ]
    },
}
