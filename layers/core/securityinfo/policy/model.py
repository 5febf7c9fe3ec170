"""The organization's policy in docs/API.md's ``Policy`` shape (the defaults: policy/defaults.py).

Stored as one item; read through a short per-container cache because nearly every request needs it
and a verification must stay within two table calls. An administrator's change reaches every warm
container within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from securityinfo.policy.defaults import DEFAULTS_BUT_TYPES, default_document
from securityinfo.storage.models import POLICY_PK, POLICY_SK, PolicyItem

CACHE_SECONDS = 30.0


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
    def recovery_codes_enabled(self) -> bool:
        return bool(self.document["recoveryCodes"]["enabled"])

    @property
    def recovery_codes_in_wizard(self) -> bool:
        return self.recovery_codes_enabled and bool(self.document["recoveryCodes"]["offerInWizard"])

    @property
    def push_per_10_minutes(self) -> int:
        return int(self.document["push"]["maxRequestsPer10Minutes"])

    @property
    def security_key_rules(self) -> dict[str, Any]:
        """The authenticator rules (``securityKey``), with the defaults for what a policy saved
        before a rule existed does not say."""
        rules = dict(DEFAULTS_BUT_TYPES["securityKey"])
        rules.update(self.document.get("securityKey") or {})
        return rules

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
    """The default policy (docs/RULES.md), in force until an administrator saves one."""
    return Policy(default_document())


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
        policy = Policy({**copy.deepcopy(DEFAULTS_BUT_TYPES), **json.loads(item.document)})
    except PolicyItem.DoesNotExist:
        policy = default_policy()
    _cache["policy"] = (now, policy)
    return policy


def forget_cached_policy() -> None:
    _cache.clear()
