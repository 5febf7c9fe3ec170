"""Request bodies as JSON Schema, built from the very validation schemas the handlers use.

Nothing here restates a field: each entry points at the domain's ``Field`` tables, so a change to
what a handler accepts changes the document (and ``make test`` then asks for it to be regenerated).
"""

from __future__ import annotations

from typing import Any

from securityinfo.devices.service import ACTIVATE_SCHEMA, DECISION_SCHEMA
from securityinfo.kernel.validation import Field, Schema, body_json_schema
from securityinfo.manage.hardware_tokens import ASSIGN_SCHEMA, UPLOAD_SCHEMA
from securityinfo.manage.security_info import DEFAULT_SCHEMA, UPDATE_SCHEMA
from securityinfo.methods.registry import REGISTRY
from securityinfo.verify.app_passwords import CREATE_SCHEMA
from securityinfo.verify.passwordless import VERIFY_SCHEMA as PASSKEY_VERIFY_SCHEMA
from securityinfo.verify.signin import CHECK_SCHEMA, STATUS_SCHEMA
from securityinfo.verify.temporary_access import ISSUE_SCHEMA
from securityinfo.verify.verification import START_SCHEMA, completion_schema
from securityinfo.wizard.service import ACTIONS, NEXT_INPUT

JsonSchema = dict[str, Any]


def _one_of_each(schemas: list[Schema]) -> JsonSchema:
    """Any of several bodies; the same schema twice is listed once."""
    unique: list[JsonSchema] = []
    for schema in schemas:
        converted = body_json_schema(schema)
        if converted not in unique:
            unique.append(converted)
    return unique[0] if len(unique) == 1 else {"anyOf": unique}


def register_method() -> JsonSchema:
    # The handler reads `type` first, then checks the rest against that type's schema.
    branches = [
        {
            "title": kind.type_name,
            **body_json_schema(
                {"type": Field(str, required=True, choices=(kind.type_name,)), **kind.registration_schema}
            ),
        }
        for kind in REGISTRY.values()
        if kind.registrable  # recovery codes have their own routes
    ]
    return {"oneOf": branches, "discriminator": {"propertyName": "type"}}


def complete_registration() -> JsonSchema:
    # The registration's type decides which one applies; the document lists them all.
    return _one_of_each([kind.completion_schema for kind in REGISTRY.values() if kind.registrable])


def complete_verification() -> JsonSchema:
    return _one_of_each([completion_schema(kind) for kind in REGISTRY.values()])


def enrollment_step() -> JsonSchema:
    # Every action alone; `next` also with the input of the page it is sent on.
    branches: list[JsonSchema] = [body_json_schema({"action": Field(str, required=True, choices=ACTIONS)})]
    for page, fields in NEXT_INPUT.items():
        branch = body_json_schema({"action": Field(str, required=True, choices=("next",)), **fields})
        branches.append({"title": f"next on {page}", **branch})
    return {"anyOf": branches}


REQUEST_BODIES: dict[str, JsonSchema] = {
    "POST /me/methods": register_method(),
    "POST /me/methods/registrations/{registrationId}": complete_registration(),
    "PATCH /me/methods/{methodId}": body_json_schema(UPDATE_SCHEMA),
    "PUT /me/default-method": body_json_schema(DEFAULT_SCHEMA),
    "POST /me/verifications": body_json_schema(START_SCHEMA),
    "POST /me/verifications/{verificationId}": complete_verification(),
    "POST /me/app-passwords": body_json_schema(CREATE_SCHEMA),
    "POST /me/enrollment/steps/{stepId}": enrollment_step(),
    "POST /signin/mfa-status": body_json_schema(STATUS_SCHEMA),
    "POST /signin/app-password-check": body_json_schema(CHECK_SCHEMA),
    "POST /signin/passkey/verify": body_json_schema(PASSKEY_VERIFY_SCHEMA),
    # The validator's policy schema, a component: GET answers it and PUT takes it.
    "PUT /admin/policy": {"$ref": "#/components/schemas/Policy"},
    "POST /admin/users/{userId}/temporary-access-pass": body_json_schema(ISSUE_SCHEMA),
    "POST /admin/hardware-tokens": body_json_schema(UPLOAD_SCHEMA),
    "POST /admin/hardware-tokens/{serialNumber}/assign": body_json_schema(ASSIGN_SCHEMA),
    "POST /devices/activate": body_json_schema(ACTIVATE_SCHEMA),
    "POST /devices/{deviceId}/approvals/{verificationId}": body_json_schema(DECISION_SCHEMA),
}
