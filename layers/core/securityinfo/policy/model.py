"""The organization's policy in API.md's ``Policy`` shape, with SPEC §10's defaults.

Stored as one item; read through a short per-container cache because nearly every request needs it
and a verification must stay within two table calls. An administrator's change reaches every warm
container within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from securityinfo.storage.models import POLICY_PK, POLICY_SK, PolicyItem

METHOD_TYPES = ("authenticatorApp", "softwareOath", "phone", "email", "securityKey", "securityQuestions")
CACHE_SECONDS = 30.0

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

DEFAULT_POLICY: dict[str, Any] = {
    "enabledMethodTypes": list(METHOD_TYPES),
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
    # How long Recent activity keeps each entry (SPEC §14).
    "activityDays": 90,
    "appPasswords": {"enabled": False, "required": False},
    "stepUpMinutes": 10,
    "lockout": {"threshold": 10, "minutes": 15},
    "wizardStepMinutes": 15,
    "temporaryAccessPass": {"defaultLifetimeMinutes": 60, "maxLifetimeMinutes": 480},
}


class Policy:
    """Read access to a policy document with named properties for the numbers the code uses."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.document)

    def type_enabled(self, method_type: str) -> bool:
        return method_type in self.document["enabledMethodTypes"]

    @property
    def step_up_seconds(self) -> int:
        return int(self.document["stepUpMinutes"]) * 60

    @property
    def lockout_threshold(self) -> int:
        return int(self.document["lockout"]["threshold"])

    @property
    def lockout_seconds(self) -> int:
        return int(self.document["lockout"]["minutes"]) * 60

    @property
    def bootstrap_requires_tap(self) -> bool:
        return bool(self.document["registration"]["bootstrapRequiresTemporaryAccessPass"])

    @property
    def required_types(self) -> list[str]:
        return list(self.document["registration"]["requiredTypes"])

    @property
    def required_count(self) -> int:
        return int(self.document["registration"]["requiredCount"])

    @property
    def remember_device_days(self) -> int:
        return int(self.document["rememberDeviceDays"])

    @property
    def activity_days(self) -> int:
        return int(self.document["activityDays"])

    @property
    def app_passwords_enabled(self) -> bool:
        return bool(self.document["appPasswords"]["enabled"])

    @property
    def sspr_methods_required(self) -> int:
        return int(self.document["ssprMethodsRequired"])

    @property
    def questions(self) -> list[dict[str, str]]:
        """The organization's security questions: [{questionId, text}]."""
        return [dict(q) for q in self.document["securityQuestions"]["questions"]]

    @property
    def questions_to_register(self) -> int:
        return int(self.document["securityQuestions"]["registerCount"])

    @property
    def questions_to_answer(self) -> int:
        return int(self.document["securityQuestions"]["answerCount"])


def default_policy() -> Policy:
    return Policy(copy.deepcopy(DEFAULT_POLICY))


_cache: dict[str, tuple[float, Policy]] = {}


def current_policy() -> Policy:
    """The stored policy (defaults when none was ever saved), cached briefly per container."""
    hit = _cache.get("policy")
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    try:
        item = PolicyItem.get(POLICY_PK, POLICY_SK)
        # A policy saved before a field existed gets that field's default (what GET shows is PUT input).
        policy = Policy({**copy.deepcopy(DEFAULT_POLICY), **json.loads(item.document)})
    except PolicyItem.DoesNotExist:
        policy = default_policy()
    _cache["policy"] = (now, policy)
    return policy


def forget_cached_policy() -> None:
    _cache.clear()
