"""Audit events against their JSON Schemas (events/): what a SIEM or the archive would receive.

A consumer must be able to rely on each detail's shape, and a detail must never carry a secret, a
code or a full phone number or address: every emitted event is validated, and schemas refuse any
field they do not list.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError  # type: ignore[import-untyped]

from securityinfo.methods import totp
from tests.support_api import Api
from tests.support_events import EVENTS_DIR, known_detail_types, schema_files, validate_event

REPO = EVENTS_DIR.parent

SPEC_DETAIL_TYPES = {
    "MethodRegistered", "MethodUpdated", "MethodRemoved", "DefaultMethodChanged", "AppPasswordCreated",
    "AppPasswordDeleted", "RememberedDevicesForgotten", "VerificationSucceeded", "VerificationFailed",
    "UserLockedOut", "FraudReported", "EnrollmentStarted", "EnrollmentCompleted", "EnrollmentExpired",
    "SecurityInfoCleared", "PolicyChanged", "TemporaryAccessPassIssued", "UserUnlocked",
    "CodeDeliveryFailed", "SuspiciousActivityReported", "UserRiskDismissed",
    "RecoveryCodesGenerated", "RecoveryCodeUsed", "RecoveryCodesDeleted",
    "HardwareTokensUploaded", "PushRequestsThrottled",
}  # fmt: skip
# What the method lifecycle below (register, verify, rename, default, lock out, delete) emits:
# removing the last method also forgets the remembered devices.
LIFECYCLE_DETAIL_TYPES = {
    "MethodRegistered", "MethodUpdated", "MethodRemoved", "DefaultMethodChanged",
    "VerificationSucceeded", "VerificationFailed", "UserLockedOut", "RememberedDevicesForgotten",
}  # fmt: skip

ENVELOPE = {
    "userId": "alice",
    "actor": "self",
    "sourceIp": "203.0.113.7",
    "userAgent": "Mozilla/5.0",
    "correlationId": "c0ffee00-1111-2222-3333-444455556666",
    "occurredAt": "2025-03-01T12:00:00Z",
}
TOTP_METHOD = {"methodType": "softwareOath", "methodId": "mabc2def3ghi4jkl5"}
PHONE_METHOD = {"methodType": "phone", "methodId": "mphone1"}
RECOVERY_SET = {"methodType": "recoveryCodes", "methodId": "rc0123456789abcdef0123"}
TOTP_VIEW = {
    "id": "mabc2def3ghi4jkl5",
    "type": "softwareOath",
    "displayName": "Phone",
    "createdAt": "2025-03-01T12:00:00Z",
    "lastUsedAt": None,
    "isDefault": True,
    "usableFor": ["mfa", "sspr"],
}
PHONE_VIEW = {
    "displayName": "Mobile",
    "phoneNumber": "+1 ••••••••12",
    "phoneType": "mobile",
    "channel": "sms",
}

# A realistic detail per type, as the domain emits it (or, for the later types, as it is meant to).
SAMPLES: dict[str, dict[str, Any]] = {
    "MethodRegistered": {**TOTP_METHOD, "after": TOTP_VIEW, "registeredBy": "self"},
    "MethodUpdated": {
        **PHONE_METHOD,
        "before": PHONE_VIEW,
        "after": {**PHONE_VIEW, "displayName": "Work mobile", "channel": "voice"},
        "changedFields": ["displayName", "channel"],
        "notifyRef": "nq3vx7kd2mzpa4hty",
    },
    "MethodRemoved": {**PHONE_METHOD, "before": PHONE_VIEW, "notifyRef": "nq3vx7kd2mzpa4hty"},
    "DefaultMethodChanged": {
        **TOTP_METHOD,
        "before": {"defaultMethodId": None},
        "after": {"defaultMethodId": "mabc2def3ghi4jkl5", "systemPreferred": False},
    },
    "VerificationSucceeded": {**TOTP_METHOD, "purpose": "stepUp"},
    "RecoveryCodesGenerated": {**RECOVERY_SET, "total": 10, "replaced": True},
    "RecoveryCodeUsed": {**RECOVERY_SET, "purpose": "mfa", "remaining": 3, "total": 10, "becameLow": True},
    "RecoveryCodesDeleted": {**RECOVERY_SET, "remaining": 7},
    "PushRequestsThrottled": {"maxRequests": 5, "windowMinutes": 10, "retryAfter": 412},
    "VerificationFailed": {**TOTP_METHOD, "purpose": "mfa", "reason": "replay"},
    "UserLockedOut": {"lockedUntil": "2025-03-01T12:15:00Z", "failedAttempts": 10},
    "AppPasswordCreated": {"appPasswordId": "aq3x7", "name": "Outlook 2010"},
    "AppPasswordDeleted": {"appPasswordId": "aq3x7", "name": "Outlook 2010"},
    "RememberedDevicesForgotten": {"scope": "all", "reason": "user_request"},
    "FraudReported": {
        "methodType": "authenticatorApp",
        "methodId": "mapp1",
        "verificationId": "mapp1.vxyz",
        "purpose": "mfa",
    },
    "EnrollmentStarted": {
        "enrollmentId": "e1",
        "requiredTypes": ["authenticatorApp", "phone"],
        "requiredCount": 2,
    },
    "EnrollmentCompleted": {
        "enrollmentId": "e1",
        "methodsRegistered": [
            {"methodType": "softwareOath", "methodId": "m1"},
            {"methodType": "phone", "methodId": "m2"},
        ],
    },
    "EnrollmentExpired": {"actor": "system", "enrollmentId": "e1", "step": "phone"},
    "SecurityInfoCleared": {
        "actor": "admin:carol",
        "methodsRemoved": [{"methodType": "phone", "methodId": "m2"}],
        "appPasswordsDeleted": 0,
        "notifyRefs": ["nq3vx7kd2mzpa4hty"],
    },
    "PolicyChanged": {
        "userId": "carol",
        "actor": "admin:carol",
        "before": {"lockout": {"threshold": 10}},
        "after": {"lockout": {"threshold": 5}},
        "changedFields": ["lockout.threshold"],
    },
    "TemporaryAccessPassIssued": {
        "actor": "admin:carol",
        "expiresAt": "2025-03-01T13:00:00Z",
        "singleUse": True,
        "lifetimeMinutes": 60,
    },
    "UserUnlocked": {"actor": "admin:carol", "previouslyLockedUntil": "2025-03-01T12:15:00Z"},
    "HardwareTokensUploaded": {
        "userId": "carol",
        "actor": "admin:carol",
        "uploadId": "u7k2q9x4w1b3n5m7",
        "created": 2,
        "serialNumbers": ["OATH0001", "OATH0002"],
        "skipped": ["OATH0000"],
    },
    "SuspiciousActivityReported": {
        **TOTP_METHOD,
        "reportedActivityId": "174083040000001a2b3c4d5e6f7a8b9",
        "reportedType": "MethodRegistered",
        "reportedOccurredAt": "2025-03-01T12:00:00Z",
    },
    "UserRiskDismissed": {"actor": "admin:carol", "atRiskSince": "2025-03-01T12:15:00Z"},
    "CodeDeliveryFailed": {
        "methodType": "phone",
        "methodId": "m2",
        "channel": "sms",
        "sentTo": "+1 ••••••••12",
        "purpose": "mfa",
        "errorType": "InvalidParameter",
    },
}


def sample(detail_type: str) -> dict[str, Any]:
    return copy.deepcopy({**ENVELOPE, **SAMPLES[detail_type]})


def required_fields(detail_type: str) -> list[str]:
    schema = json.loads((EVENTS_DIR / f"{detail_type}.schema.json").read_text())
    common = json.loads((EVENTS_DIR / "common.schema.json").read_text())
    return [*common["required"], *schema["required"]]


# --- the schemas themselves ----------------------------------------------------------------------


@pytest.mark.parametrize("path", schema_files(), ids=lambda p: p.name)
def test_every_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_detail_type_of_the_spec_has_a_schema_and_nothing_else_does() -> None:
    assert known_detail_types() == SPEC_DETAIL_TYPES


def test_every_detail_type_the_domain_emits_has_a_schema() -> None:
    # A new tw.emit("X", ...) (or an outbox.record, or an ("X", events.detail(...)) pair a
    # transaction emits) without events/X.schema.json would go unchecked.
    emitted: set[str] = set()
    for source in (REPO / "layers" / "core" / "securityinfo").rglob("*.py"):
        text = source.read_text()
        emitted |= set(re.findall(r"(?:events\.put\(|emit\(|record\(\s*[\w.]+,)\s*\"(\w+)\"", text))
        emitted |= set(re.findall(r"\(\s*\"(\w+)\",\s*events\.detail\(", text))
    assert emitted >= LIFECYCLE_DETAIL_TYPES
    assert emitted <= known_detail_types()


@pytest.mark.parametrize("detail_type", sorted(SPEC_DETAIL_TYPES))
def test_schema_only_allows_what_it_lists(detail_type: str) -> None:
    schema = json.loads((EVENTS_DIR / f"{detail_type}.schema.json").read_text())
    assert schema["title"] == detail_type
    assert schema["additionalProperties"] is False
    assert schema["$ref"] == "common.schema.json"
    assert set(schema["required"]) <= set(schema["properties"])


# --- samples -------------------------------------------------------------------------------------


@pytest.mark.parametrize("detail_type", sorted(SPEC_DETAIL_TYPES))
def test_a_realistic_detail_validates(detail_type: str) -> None:
    validate_event(detail_type, sample(detail_type))


@pytest.mark.parametrize("detail_type", sorted(SPEC_DETAIL_TYPES))
def test_a_leaked_secret_field_fails(detail_type: str) -> None:
    detail = sample(detail_type) | {"secret": "JBSWY3DPEHPK3PXP"}
    with pytest.raises(ValidationError, match="secret"):
        validate_event(detail_type, detail)


@pytest.mark.parametrize(
    ("detail_type", "name"),
    [(t, n) for t in sorted(SPEC_DETAIL_TYPES) for n in required_fields(t)],
)
def test_a_missing_required_field_fails(detail_type: str, name: str) -> None:
    detail = sample(detail_type)
    del detail[name]
    with pytest.raises(ValidationError):
        validate_event(detail_type, detail)


@pytest.mark.parametrize(
    ("detail_type", "path", "value"),
    [
        ("MethodUpdated", ("after", "phoneNumber"), "+14255550112"),
        ("MethodUpdated", ("before", "phoneNumber"), "+1 425 555 0112"),
        ("MethodUpdated", ("after", "emailAddress"), "alice@contoso.com"),
        ("MethodRegistered", ("after", "secret"), "JBSWY3DPEHPK3PXP"),
        ("MethodRegistered", ("after", "otpauthUri"), "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"),
        ("MethodRemoved", ("before", "phone"), "+14255550112"),
        ("MethodRemoved", ("notifyRef",), "+14255550112"),
        ("SecurityInfoCleared", ("notifyRefs", 0), "+14255550112"),
        ("SecurityInfoCleared", ("notifyRefs", 0), "alice@contoso.com"),
        ("DefaultMethodChanged", ("after", "code"), "123456"),
        ("CodeDeliveryFailed", ("sentTo",), "+14255550112"),
        ("CodeDeliveryFailed", ("sentTo",), "alice@contoso.com"),
        ("VerificationFailed", ("code",), "123456"),
        ("AppPasswordCreated", ("password",), "abcdabcdabcdabcdabcdabcd"),
        ("TemporaryAccessPassIssued", ("temporaryAccessPass",), "Xy7#kLm2"),
    ],
)
def test_an_unmasked_or_secret_value_fails(detail_type: str, path: tuple[str, ...], value: str) -> None:
    detail = sample(detail_type)
    target = detail
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        validate_event(detail_type, detail)


@pytest.mark.parametrize(
    ("method_type", "fields"),
    [
        ("phone", {"phoneType": "alternateMobile", "phoneNumber": "+44 ••••••••90", "channel": "voice"}),
        ("email", {"emailAddress": "a•••@contoso.com"}),
        ("authenticatorApp", {"deviceName": "Megan's iPhone"}),
        ("securityKey", {"aaguid": "cb69481e-8ff7-4039-93ec-0a2729a154a8"}),
        ("securityQuestions", {"questionCount": 3}),
    ],
)
def test_every_method_types_view_can_be_announced(method_type: str, fields: dict[str, Any]) -> None:
    detail = sample("MethodRegistered")
    detail["methodType"] = detail["after"]["type"] = method_type
    detail["after"].update(fields)
    validate_event("MethodRegistered", detail)


def test_the_masking_the_service_uses_matches_the_schemas() -> None:
    masking = pytest.importorskip("securityinfo.kernel.masking")
    for number in ("+14255550112", "+442071838750", "+8613800138000", "+35312345678"):
        validate_event(
            "CodeDeliveryFailed", sample("CodeDeliveryFailed") | {"sentTo": masking.mask_phone(number)}
        )
    for address in ("megan@contoso.com", "x@example.org"):
        detail = sample("CodeDeliveryFailed") | {"channel": "email", "sentTo": masking.mask_email(address)}
        validate_event("CodeDeliveryFailed", detail)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("actor", "alice"),
        ("actor", "admin:"),
        ("occurredAt", "2025-03-01T12:00:00+00:00"),
        ("occurredAt", "2025-03-01 12:00:00Z"),
        ("correlationId", ""),
        ("methodType", "sms"),
        ("sourceIp", 7),
    ],
)
def test_a_malformed_common_field_fails(name: str, value: Any) -> None:
    detail = sample("VerificationSucceeded") | {name: value}
    with pytest.raises(ValidationError):
        validate_event("VerificationSucceeded", detail)


def test_unknown_detail_type_is_refused() -> None:
    with pytest.raises(KeyError):
        validate_event("MethodRegisterd", sample("MethodRegistered"))


# --- every event the handlers emit -----------------------------------------------------------------
# Through the session's local runtime (tests/conftest.py): each event goes the real way, put_events
# on the bus, a rule, a queue, and is read back as a consumer receives it. (An in-process mock_aws
# here would reset moto's process-wide backends under that running runtime.)


def _wrong_code(api: Api, secret: str) -> str:
    step = totp.step_at(api.now())
    near = {totp.code_for_step(secret, s) for s in range(step - 2, step + 3)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)


def test_every_event_of_a_method_lifecycle_and_a_lockout_matches_its_schema(api: Api) -> None:
    user = api.user()
    assert user.call("GET", "/me/security-info").status == 200

    # Register a TOTP app: a wrong code first, then the right one.
    begun = user.call("POST", "/me/methods", {"type": "softwareOath", "displayName": "Phone"})
    assert begun.status == 201, begun.body
    secret, registration = begun.body["secret"], f"/me/methods/registrations/{begun.body['registrationId']}"
    wrong = _wrong_code(api, secret)
    assert user.call("POST", registration, {"code": wrong}).status == 400
    first_code = user.code(secret)
    done = user.call("POST", registration, {"code": first_code})
    assert done.status == 201, done.body
    method_id = done.body["method"]["id"]

    # Step up: the registration's code is a replay, then a wrong code, then a fresh code.
    started = user.call("POST", "/me/verifications", {"purpose": "stepUp"})
    assert started.status == 201, started.body
    verification = f"/me/verifications/{started.body['verificationId']}"
    assert user.call("POST", verification, {"code": first_code}).status == 400
    assert user.call("POST", verification, {"code": wrong}).status == 400
    second_code = user.code(secret)
    approved = user.call("POST", verification, {"code": second_code})
    assert approved.status == 200, approved.body
    user.step_up_token = approved.body["stepUpToken"]

    assert user.call("PATCH", f"/me/methods/{method_id}", {"displayName": "Work phone"}).status == 200
    assert user.call("PUT", "/me/default-method", {"systemPreferred": True}).status == 200

    # Ten consecutive wrong codes (a verification allows five tries) lock the user out.
    statuses: list[int] = []
    verification = ""
    for _ in range(10):
        if not verification:
            started = user.call("POST", "/me/verifications", {"purpose": "mfa"})
            assert started.status == 201, started.body
            verification = f"/me/verifications/{started.body['verificationId']}"
        status = user.call("POST", verification, {"code": wrong}).status
        statuses.append(status)
        if status == 410:
            verification = ""
    assert statuses[-1] == 423 and 423 not in statuses[:-1], statuses

    # Locked: the step-up from before the lock counts for nothing; once the lock ends, step up again.
    assert user.call("DELETE", f"/me/methods/{method_id}").status == 423
    api.advance(15 * 60 + 1)
    user.step_up(secret)
    assert user.call("DELETE", f"/me/methods/{method_id}").status == 204

    mine = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    for event in mine:
        assert event["source"] == "security-info"
        validate_event(event["detail-type"], event["detail"])
    assert {e["detail-type"] for e in mine} == LIFECYCLE_DETAIL_TYPES
    assert all(e["detail"]["actor"] == "self" for e in mine)
    failed = [
        (e["detail"]["purpose"], e["detail"]["reason"])
        for e in mine
        if e["detail-type"] == "VerificationFailed"
    ]
    # The wrong registration code first, then the replay and the wrong sign-in codes.
    assert failed[:3] == [
        ("registration", "wrong_answer"),
        ("stepUp", "replay"),
        ("stepUp", "wrong_answer"),
    ], failed
    # What a consumer reads never holds the secret or a code that was typed.
    everything = json.dumps([e["detail"] for e in mine])
    for needle in (secret, first_code, second_code, wrong):
        assert not re.search(rf"(?<![0-9A-Za-z]){needle}(?![0-9A-Za-z])", everything), needle
