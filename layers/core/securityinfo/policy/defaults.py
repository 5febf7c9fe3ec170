"""The default policy (docs/RULES.md), in force until an administrator saves one. Every method type
the registry knows is enabled, in its order.

The types are added on use (``default_document``): a stored policy always names its own, and the
registry loads every type's module, which most functions' cold starts otherwise skip.
"""

from __future__ import annotations

import copy
from typing import Any

_DEFAULT_QUESTIONS = [
    "What was the name of your first pet?",
    "In what city were you born?",
    "What was the name of your first school?",
    "What is your oldest cousin's first name?",
    "What was the make of your first car?",
    "In what city did your parents meet?",
    "What was your childhood nickname?",
    "What is the name of the street you grew up on?",
    "What was the first concert you attended?",
    "What was the name of your favourite teacher?",
]

# Every field but enabledMethodTypes: what a policy saved before a field existed is given for it.
DEFAULTS_BUT_TYPES: dict[str, Any] = {
    "registration": {
        "requiredTypes": ["authenticatorApp", "phone"],
        "requiredCount": 2,
        "offerDifferentMethod": True,
        "snoozeDays": 0,
        "maxSnoozes": 3,
        "bootstrapRequiresTemporaryAccessPass": False,
    },
    "ssprMethodsRequired": 1,
    "securityQuestions": {
        "registerCount": 3,
        "answerCount": 3,
        "questions": [{"questionId": f"q{i + 1}", "text": t} for i, t in enumerate(_DEFAULT_QUESTIONS)],
    },
    "rememberDeviceDays": 90,
    # How long Recent activity keeps each entry (docs/RULES.md).
    "activityDays": 90,
    "appPasswords": {"enabled": False, "required": False},
    "stepUpMinutes": 10,
    "lockout": {"threshold": 10, "minutes": 15},
    "wizardStepMinutes": 15,
    "temporaryAccessPass": {"defaultLifetimeMinutes": 60, "maxLifetimeMinutes": 480},
    # docs/RULES.md: a set of single-use codes for when the phone is lost.
    "recoveryCodes": {"enabled": True, "offerInWizard": True},
    # Push requests per user in any 10 minutes (MFA fatigue).
    "push": {"maxRequestsPer10Minutes": 5},
    # The authenticator rules for security keys and passkeys (docs/RULES.md), applied when a key is
    # registered: user verification (PIN or biometric), attestation, synced passkeys, AAGUID lists.
    "securityKey": {
        "userVerification": "required",
        "attestation": "none",
        "allowSynced": True,
        "allowedAaguids": [],
        "blockedAaguids": [],
        "trustedRoots": [],
    },
}


def default_document() -> dict[str, Any]:
    """The whole default policy document (a fresh copy)."""
    from securityinfo.methods.registry import METHOD_TYPES

    return {"enabledMethodTypes": list(METHOD_TYPES), **copy.deepcopy(DEFAULTS_BUT_TYPES)}


def __getattr__(name: str) -> Any:
    # DEFAULT_POLICY reads as a constant, built on first use like default_document.
    if name == "DEFAULT_POLICY":
        return default_document()
    raise AttributeError(name)
