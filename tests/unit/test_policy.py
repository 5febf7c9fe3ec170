"""The default policy is the one docs/RULES.md describes, in docs/API.md's Policy shape."""

from securityinfo.methods.registry import METHOD_TYPES
from securityinfo.policy.model import default_policy


def test_defaults_match_the_spec() -> None:
    policy = default_policy()
    doc = policy.to_dict()
    assert doc["enabledMethodTypes"] == list(METHOD_TYPES)
    assert doc["registration"]["requiredTypes"] == ["authenticatorApp", "phone"]
    assert doc["registration"]["requiredCount"] == 2
    assert doc["registration"]["offerDifferentMethod"] is True
    assert doc["registration"]["snoozeDays"] == 0
    assert doc["registration"]["maxSnoozes"] == 3
    assert doc["ssprMethodsRequired"] == 1
    assert doc["securityQuestions"]["registerCount"] == 3
    assert doc["securityQuestions"]["answerCount"] == 3
    assert len(doc["securityQuestions"]["questions"]) >= 10
    assert doc["rememberDeviceDays"] == 90
    assert doc["appPasswords"] == {"enabled": False, "required": False}
    assert doc["stepUpMinutes"] == 10 and policy.step_up_seconds == 600
    assert doc["lockout"] == {"threshold": 10, "minutes": 15}
    assert policy.lockout_threshold == 10 and policy.lockout_seconds == 900
    assert doc["wizardStepMinutes"] == 15
    assert doc["temporaryAccessPass"] == {"defaultLifetimeMinutes": 60, "maxLifetimeMinutes": 480}


def test_a_copy_cannot_change_the_defaults() -> None:
    default_policy().to_dict()["stepUpMinutes"] = 99
    assert default_policy().step_up_seconds == 600
