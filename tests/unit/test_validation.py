"""Bad request bodies get a 400 that names the field and says what to do."""

from typing import Any

import pytest

from securityinfo.kernel.errors import BadRequest, InvalidField
from securityinfo.kernel.validation import DISPLAY_NAME, Field, parse_json, validate

SCHEMA = {
    "purpose": Field(str, required=True, choices=("mfa", "sspr", "stepUp")),
    "displayName": DISPLAY_NAME,
    "count": Field(int),
    "flag": Field(bool),
    "code": Field(str, pattern=r"\d{6}", hint="Enter 6 digits."),
}

BAD: list[tuple[Any, str, str | None]] = [
    ([], "invalid_request", None),
    ("text", "invalid_request", None),
    ({}, "missing_field", "purpose"),
    ({"purpose": "mfa", "extra": 1}, "unknown_field", "extra"),
    ({"purpose": 3}, "invalid_field", "purpose"),
    ({"purpose": "admin"}, "invalid_field", "purpose"),
    ({"purpose": "mfa", "displayName": ""}, "invalid_field", "displayName"),
    ({"purpose": "mfa", "displayName": "x" * 65}, "invalid_field", "displayName"),
    ({"purpose": "mfa", "displayName": "bad\u0000name"}, "invalid_field", "displayName"),
    ({"purpose": "mfa", "count": True}, "invalid_field", "count"),
    ({"purpose": "mfa", "count": "3"}, "invalid_field", "count"),
    ({"purpose": "mfa", "flag": "yes"}, "invalid_field", "flag"),
    ({"purpose": "mfa", "code": "12345"}, "invalid_field", "code"),
    ({"purpose": "mfa", "code": "12345a"}, "invalid_field", "code"),
    ({"purpose": "mfa", "code": 123456}, "invalid_field", "code"),
]


@pytest.mark.parametrize(("body", "code", "field"), BAD)
def test_bad_bodies_are_refused_with_the_field_named(body: Any, code: str, field: str | None) -> None:
    with pytest.raises(BadRequest) as refused:
        validate(body, SCHEMA)
    assert refused.value.status == 400
    assert refused.value.code == code
    assert refused.value.field == field
    assert refused.value.message


def test_a_good_body_passes_and_nulls_count_as_absent() -> None:
    assert validate({"purpose": "mfa", "displayName": None, "code": "123456"}, SCHEMA) == {
        "purpose": "mfa",
        "code": "123456",
    }


@pytest.mark.parametrize("raw", ["{", "nope", "[1,", '{"a": }'])
def test_non_json_is_a_400(raw: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_json(raw)
    assert refused.value.code == "invalid_json"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_an_empty_body_is_an_empty_object(raw: str | None) -> None:
    assert parse_json(raw) == {}


def test_error_body_has_the_contract_shape() -> None:
    error = InvalidField("Enter 6 digits.", field="code", attempts_left=2, retry_after=30)
    assert error.body() == {
        "error": {
            "code": "invalid_field",
            "message": "Enter 6 digits.",
            "field": "code",
            "attemptsLeft": 2,
            "retryAfter": 30,
        }
    }
