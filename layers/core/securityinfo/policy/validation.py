"""Validation of an administrator's policy (docs/API.md's ``Policy``): every field's type and range, then
the rules that tie fields together. Each refusal is a 400 naming the field to change."""

from __future__ import annotations

from typing import Any

from securityinfo.kernel.errors import BadRequest, InvalidPolicy
from securityinfo.kernel.i18n import Text, t
from securityinfo.kernel.validation import Field, validate
from securityinfo.methods.registry import METHOD_TYPES, MFA_TYPES

MIN_QUESTIONS = 10


def _int(low: int, high: int) -> Field:
    return Field(int, required=True, minimum=low, maximum=high)


_BOOL = Field(bool, required=True)
_TYPES = Field(list, required=True, max_len=len(METHOD_TYPES), items=Field(str, choices=METHOD_TYPES))
_QUESTION = Field(
    dict,
    schema={
        "questionId": Field(
            str, required=True, pattern=r"[A-Za-z0-9_-]{1,32}", hint="1 to 32 letters, digits, - or _."
        ),
        "text": Field(str, required=True, min_len=5, max_len=200),
    },
)

# An AAGUID as the API shows it: 32 hex digits in the 8-4-4-4-12 form (compared in lower case).
AAGUID_PATTERN = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_AAGUIDS = Field(
    list,
    required=True,
    max_len=200,
    items=Field(str, pattern=AAGUID_PATTERN, hint="An AAGUID such as cb69481e-8ff7-4039-93ec-0a2729a154a8."),
)
MAX_ROOTS = 20
_PEM = Field(
    str,
    min_len=1,
    max_len=16_000,
    multiline=True,
    pattern=r"\s*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*",
    hint="A PEM certificate: -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----.",
)

SCHEMA = {
    "enabledMethodTypes": _TYPES,
    "registration": Field(
        dict,
        required=True,
        schema={
            "requiredTypes": _TYPES,
            "requiredCount": _int(0, 10),
            "offerDifferentMethod": _BOOL,
            "snoozeDays": _int(0, 14),
            "maxSnoozes": _int(0, 10),
            "bootstrapRequiresTemporaryAccessPass": _BOOL,
        },
    ),
    "ssprMethodsRequired": Field(int, required=True, choices=(1, 2)),
    "securityQuestions": Field(
        dict,
        required=True,
        schema={
            "registerCount": _int(3, 5),
            "answerCount": _int(3, 5),
            "questions": Field(list, required=True, max_len=50, items=_QUESTION),
        },
    ),
    "rememberDeviceDays": _int(0, 365),
    "activityDays": _int(1, 365),
    "appPasswords": Field(dict, required=True, schema={"enabled": _BOOL, "required": _BOOL}),
    "stepUpMinutes": _int(1, 60),
    "lockout": Field(dict, required=True, schema={"threshold": _int(3, 100), "minutes": _int(1, 1440)}),
    "wizardStepMinutes": _int(1, 60),
    "temporaryAccessPass": Field(
        dict,
        required=True,
        schema={"defaultLifetimeMinutes": _int(10, 43200), "maxLifetimeMinutes": _int(10, 43200)},
    ),
    "recoveryCodes": Field(dict, required=True, schema={"enabled": _BOOL, "offerInWizard": _BOOL}),
    # At least 1: a registration's test push and a sign-in must stay possible.
    "push": Field(dict, required=True, schema={"maxRequestsPer10Minutes": _int(1, 30)}),
    "securityKey": Field(
        dict,
        required=True,
        schema={
            "userVerification": Field(str, required=True, choices=("required", "preferred", "discouraged")),
            "attestation": Field(str, required=True, choices=("none", "required")),
            "allowSynced": _BOOL,
            "allowedAaguids": _AAGUIDS,
            "blockedAaguids": _AAGUIDS,
            "trustedRoots": Field(list, required=True, max_len=MAX_ROOTS, items=_PEM),
        },
    ),
}


def _refuse(field: str, message: Text) -> BadRequest:
    return InvalidPolicy(message, field=field)


def validate_policy(body: Any) -> dict[str, Any]:
    """The policy document to store, or a 400 naming the first field that is wrong or inconsistent."""
    doc = validate(body, SCHEMA)
    enabled: list[str] = doc["enabledMethodTypes"]
    _unique(enabled, "enabledMethodTypes")
    if not set(enabled) & set(MFA_TYPES):
        raise _refuse(
            "enabledMethodTypes",
            t(
                "Enable at least one method for two-step verification (authenticator app, TOTP app, "
                "phone or security key); email and security questions only reset passwords."
            ),
        )
    registration = doc["registration"]
    required: list[str] = registration["requiredTypes"]
    _unique(required, "registration.requiredTypes")
    for i, type_name in enumerate(required):
        if type_name not in enabled:
            raise _refuse(
                f"registration.requiredTypes[{i}]",
                t(
                    "{type} is required at registration but not enabled: enable it in "
                    "enabledMethodTypes or stop requiring it.",
                    type=type_name,
                ),
            )
    if registration["requiredCount"] < len(required):
        raise _refuse(
            "registration.requiredCount",
            t(
                "requiredCount ({count}) is less than the {required} required types; raise it to at least "
                "the number of required types.",
                count=registration["requiredCount"],
                required=len(required),
            ),
        )
    _check_questions(doc["securityQuestions"], "securityQuestions" in enabled)
    if doc["appPasswords"]["required"] and not doc["appPasswords"]["enabled"]:
        raise _refuse(
            "appPasswords.required",
            t("App passwords cannot be required while they are disabled; enable them."),
        )
    _check_security_key(doc["securityKey"])
    tap = doc["temporaryAccessPass"]
    if tap["defaultLifetimeMinutes"] > tap["maxLifetimeMinutes"]:
        raise _refuse(
            "temporaryAccessPass.defaultLifetimeMinutes",
            t("The default lifetime of a temporary access pass cannot exceed its maximum lifetime."),
        )
    return doc


def _check_security_key(rules: dict[str, Any]) -> None:
    """AAGUIDs kept in lower case, each listed once and never both allowed and blocked; each trusted
    root a certificate; attestation required only with a root to chain to."""
    for name in ("allowedAaguids", "blockedAaguids"):
        rules[name] = [a.lower() for a in rules[name]]
        _unique(rules[name], f"securityKey.{name}")
    for i, aaguid in enumerate(rules["blockedAaguids"]):
        if aaguid in rules["allowedAaguids"]:
            raise _refuse(
                f"securityKey.blockedAaguids[{i}]",
                t(
                    "{aaguid} is both allowed and blocked; remove it from one of the two lists.",
                    aaguid=aaguid,
                ),
            )
    for i, pem in enumerate(rules["trustedRoots"]):
        problem = _certificate_problem(pem)
        if problem:
            raise _refuse(f"securityKey.trustedRoots[{i}]", problem)
    if rules["attestation"] == "required" and not rules["trustedRoots"]:
        raise _refuse(
            "securityKey.trustedRoots",
            t(
                "Attestation is required but no trusted root certificate is configured: add the root "
                "certificate(s) of the key vendors you allow (PEM), or set attestation to none."
            ),
        )


def _certificate_problem(pem: str) -> Text | None:
    # cryptography is loaded only when a policy names roots (put_policy's cold start skips it).
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError:
        return t("This is not a PEM certificate that can be read; paste the whole certificate.")
    try:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        basic = None
    if basic is not None and not basic.ca:
        return t("This certificate is not a certificate authority's; paste the vendor's root certificate.")
    return None


def _check_questions(questions: dict[str, Any], enabled: bool) -> None:
    listed: list[dict[str, Any]] = questions["questions"]
    for name in ("questionId", "text"):
        seen: set[str] = set()
        for i, question in enumerate(listed):
            value = question[name].strip().lower()
            if value in seen:
                raise _refuse(
                    f"securityQuestions.questions[{i}].{name}",
                    t("Two questions have the same {name}.", name=name),
                )
            seen.add(value)
    if questions["answerCount"] > questions["registerCount"]:
        raise _refuse(
            "securityQuestions.answerCount",
            t("answerCount cannot exceed registerCount: a reset asks only questions the user answered."),
        )
    if not enabled:
        return
    if questions["registerCount"] > len(listed):
        raise _refuse(
            "securityQuestions.registerCount",
            t(
                "registerCount ({count}) is more than the {offered} questions offered; "
                "add questions or lower registerCount.",
                count=questions["registerCount"],
                offered=len(listed),
            ),
        )
    if len(listed) < MIN_QUESTIONS:
        raise _refuse(
            "securityQuestions.questions",
            t("Offer at least {count} questions while security questions are enabled.", count=MIN_QUESTIONS),
        )


def _unique(values: list[str], field: str) -> None:
    for i, value in enumerate(values):
        if value in values[:i]:
            raise _refuse(f"{field}[{i}]", t("{value} is listed twice.", value=value))


def changed_fields(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaves that differ (lists compare whole)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after)):
            out += changed_fields(before.get(key), after.get(key), f"{prefix}{key}.")
        return out
    return [] if before == after else [prefix.rstrip(".")]
