"""What an administrator sees when saving a policy: the defaults are valid as they are, and every
inconsistency is a 400 that names the field to change."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from securityinfo.kernel.errors import BadRequest
from securityinfo.policy.defaults import DEFAULT_POLICY
from securityinfo.policy.validation import SCHEMA, changed_fields, validate_policy


def policy(change: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(DEFAULT_POLICY)
    if change is not None:
        change(doc)
    return doc


def refused(doc: Any) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        validate_policy(doc)
    return caught.value


def test_the_defaults_are_a_valid_policy_and_come_back_unchanged() -> None:
    assert validate_policy(policy()) == DEFAULT_POLICY


def test_the_validator_knows_every_field_of_the_default_policy() -> None:
    # A field added to the defaults without a rule here would make GET's answer invalid PUT input.
    assert set(SCHEMA) == set(DEFAULT_POLICY)
    for name, spec in SCHEMA.items():
        if spec.schema is not None:
            assert set(spec.schema) == set(DEFAULT_POLICY[name]), name


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _drop_questions(doc: dict[str, Any]) -> None:
    doc["securityQuestions"]["questions"] = doc["securityQuestions"]["questions"][:2]


def _disable_phone(doc: dict[str, Any]) -> None:
    doc["enabledMethodTypes"].remove("phone")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_disable_phone, "registration.requiredTypes[1]"),
        (_drop_questions, "securityQuestions.registerCount"),
        (_set("ssprMethodsRequired", 3), "ssprMethodsRequired"),
        (_set("ssprMethodsRequired", True), "ssprMethodsRequired"),
        (_set("rememberDeviceDays", 366), "rememberDeviceDays"),
        (_set("rememberDeviceDays", -1), "rememberDeviceDays"),
        (_set("rememberDeviceDays", "90"), "rememberDeviceDays"),
        (_set("activityDays", 0), "activityDays"),
        (_set("activityDays", 366), "activityDays"),
        (_set("activityDays", 30.5), "activityDays"),
        (_set("registration.snoozeDays", 15), "registration.snoozeDays"),
        (_set("registration.requiredCount", 1), "registration.requiredCount"),
        (_set("registration.requiredTypes", ["phone", "phone"]), "registration.requiredTypes[1]"),
        (_set("appPasswords.required", True), "appPasswords.required"),
        (_set("securityQuestions.registerCount", 6), "securityQuestions.registerCount"),
        (_set("securityQuestions.answerCount", 4), "securityQuestions.answerCount"),
        (
            _set("temporaryAccessPass.defaultLifetimeMinutes", 500),
            "temporaryAccessPass.defaultLifetimeMinutes",
        ),
        (_set("lockout.threshold", 0), "lockout.threshold"),
        (_set("stepUpMinutes", 0), "stepUpMinutes"),
        (_set("enabledMethodTypes", ["email", "securityQuestions"]), "enabledMethodTypes"),
        (_set("enabledMethodTypes", ["phone", "sms"]), "enabledMethodTypes[1]"),
        (_set("enabledMethodTypes", ["phone", "phone"]), "enabledMethodTypes[1]"),
        (_set("colour", "blue"), "colour"),
    ],
)
def test_an_inconsistent_policy_is_refused_naming_the_field(
    change: Callable[[dict[str, Any]], None], field: str
) -> None:
    error = refused(policy(change))
    assert error.status == 400
    assert error.field == field, (error.field, error.message)
    assert error.message


def test_every_field_is_required() -> None:
    doc = policy()
    del doc["lockout"]["minutes"]
    assert refused(doc).field == "lockout.minutes"
    assert refused([]).status == 400


def test_few_questions_are_fine_while_security_questions_are_disabled() -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["enabledMethodTypes"].remove("securityQuestions")
        doc["securityQuestions"]["questions"] = []

    assert validate_policy(policy(change))["securityQuestions"]["questions"] == []
    enabled = policy(
        lambda d: d["securityQuestions"].update(questions=d["securityQuestions"]["questions"][:9])
    )
    assert refused(enabled).field == "securityQuestions.questions"


def test_two_questions_with_the_same_id_are_refused() -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["securityQuestions"]["questions"][3]["questionId"] = "q1"

    assert refused(policy(change)).field == "securityQuestions.questions[3].questionId"


def test_changed_fields_are_dotted_paths_of_the_leaves() -> None:
    after = policy(_set("lockout.threshold", 5))
    after["appPasswords"]["enabled"] = True
    assert changed_fields(DEFAULT_POLICY, after) == ["appPasswords.enabled", "lockout.threshold"]
    assert changed_fields(DEFAULT_POLICY, policy()) == []
