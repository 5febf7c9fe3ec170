"""Hardware OATH tokens without a table: the codes (RFC 6238 Appendix B, SHA-1 and SHA-256, 8
digits and their last 6), the token's own period, and what an upload refuses (naming the field)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from securityinfo.kernel.errors import BadRequest
from securityinfo.kernel.validation import validate
from securityinfo.manage.hardware_tokens import UPLOAD_SCHEMA, normalized_secret
from securityinfo.methods import totp
from securityinfo.methods.registry import LIMIT_COUNTERS, REGISTRY

# RFC 6238 Appendix B: the test seeds per hash (SHA-1: 20 bytes, SHA-256: 32 bytes), T0 = 0,
# X = 30 s, and the 8-digit TOTP values of its table.
SEEDS = {
    "sha1": base64.b32encode(b"12345678901234567890").decode(),
    "sha256": base64.b32encode(b"12345678901234567890123456789012").decode(),
}
VECTORS = {
    "sha1": [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
    "sha256": [
        (59, "46119246"),
        (1111111109, "68084774"),
        (1111111111, "67062674"),
        (1234567890, "91819424"),
        (2000000000, "90698825"),
        (20000000000, "77737706"),
    ],
}
CASES = [(algorithm, t, code) for algorithm, rows in VECTORS.items() for t, code in rows]


@pytest.mark.parametrize(("algorithm", "unix_time", "expected"), CASES)
def test_rfc6238_vectors_at_8_digits(algorithm: str, unix_time: int, expected: str) -> None:
    assert totp.code_for_step(SEEDS[algorithm], totp.step_at(unix_time), 8, algorithm) == expected
    params = totp.Params(digits=8, period=30, algorithm=algorithm)
    assert totp.matching_step(SEEDS[algorithm], expected, unix_time, params) == totp.step_at(unix_time)


@pytest.mark.parametrize(("algorithm", "unix_time", "expected"), CASES)
def test_6_digit_codes_are_the_last_6_digits_of_the_vectors(
    algorithm: str, unix_time: int, expected: str
) -> None:
    # HOTP truncation (RFC 4226 §5.3) takes the same 31 bits modulo 10^digits.
    assert totp.code_for_step(SEEDS[algorithm], totp.step_at(unix_time), 6, algorithm) == expected[-6:]
    params = totp.Params(digits=6, period=30, algorithm=algorithm)
    assert totp.matching_step(SEEDS[algorithm], expected[-6:], unix_time, params) is not None


def test_a_sha256_code_is_not_a_sha1_code() -> None:
    sha256 = totp.Params(digits=8, algorithm="sha256")
    assert totp.matching_step(SEEDS["sha256"], "94287082", 59, sha256) is None
    assert totp.matching_step(SEEDS["sha1"], "94287082", 59, totp.Params(digits=8)) is not None


def test_a_60_second_token_steps_every_minute_with_one_step_either_side() -> None:
    params = totp.Params(digits=6, period=60, algorithm="sha1")
    secret = SEEDS["sha1"]
    now = 1_700_000_030.0
    step = totp.step_at(now, 60)
    for drift in (-1, 0, 1):
        code = totp.code_for_step(secret, step + drift, 6)
        assert totp.matching_step(secret, code, now, params) == step + drift
    for far in (-2, 2):
        assert totp.matching_step(secret, totp.code_for_step(secret, step + far, 6), now, params) is None
    # 90 s later is still only one 60 s step on: the 30 s app check would be three.
    code = totp.code_for_step(secret, totp.step_at(now + 90, 60), 6)
    assert totp.matching_step(secret, code, now + 60, params) is not None


def test_the_type_counts_with_the_authenticator_apps_and_ranks_with_totp() -> None:
    kind = REGISTRY["hardwareOath"]
    assert (
        kind.limit_group == REGISTRY["softwareOath"].limit_group == REGISTRY["authenticatorApp"].limit_group
    )
    assert kind.limit == 5
    assert LIMIT_COUNTERS[kind.limit_group].attr_name == "oath_count"
    assert kind.mfa_capable and set(kind.usable_for) == {"mfa", "sspr"}


# --- an upload's validation -----------------------------------------------------------------------


def token(**change: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "serialNumber": "OATH0001",
        "secret": SEEDS["sha1"],
        "manufacturer": "Contoso",
        "model": "TOTP-6",
        "digits": 6,
        "periodSeconds": 30,
        "hashFunction": "sha1",
    }
    body.update(change)
    return {k: v for k, v in body.items() if v is not None}


def refused_field(tokens: list[dict[str, Any]]) -> str | None:
    with pytest.raises(BadRequest) as refused:
        validate({"tokens": tokens}, UPLOAD_SCHEMA)
    return refused.value.field


def many(n: int, **change: Any) -> list[dict[str, Any]]:
    return [token(serialNumber=f"OATH{i:04d}", **change) for i in range(n)]


def test_a_good_upload_passes() -> None:
    tokens = [*many(3), token(serialNumber="X-9.a_b", digits=8, periodSeconds=60, hashFunction="sha256")]
    assert validate({"tokens": tokens}, UPLOAD_SCHEMA)["tokens"] == tokens


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"digits": 7}, "digits"),
        ({"digits": "6"}, "digits"),
        ({"periodSeconds": 45}, "periodSeconds"),
        ({"hashFunction": "md5"}, "hashFunction"),
        ({"hashFunction": "sha512"}, "hashFunction"),
        ({"secret": "not base32 at all!"}, "secret"),
        ({"secret": "GEZDGNBVGY3TQOJ1"}, "secret"),  # 1 is not a base32 digit
        ({"secret": "GEZDGNBVGY3TQOJQ"}, "secret"),  # 80 bits: under RFC 4226's 128
        ({"serialNumber": "A/B"}, "serialNumber"),
        ({"serialNumber": None}, "serialNumber"),
        ({"manufacturer": ""}, "manufacturer"),
        ({"model": "m" * 65}, "model"),
    ],
)
def test_a_bad_token_is_refused_naming_its_field(change: dict[str, Any], field: str) -> None:
    tokens = many(5)
    tokens[3] = token(**{"serialNumber": "OATH9999", **change})
    assert refused_field(tokens) == f"tokens[3].{field}"


def test_an_unknown_field_is_refused_by_name() -> None:
    assert refused_field([token(pin="1234")]) == "tokens[0].pin"


def test_more_than_500_or_none_is_refused() -> None:
    assert refused_field(many(501)) == "tokens"
    assert refused_field([]) == "tokens"
    validate({"tokens": many(500)}, UPLOAD_SCHEMA)


def test_secrets_are_kept_without_spaces_padding_or_lower_case() -> None:
    assert (
        normalized_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    )
    validate({"tokens": [token(secret="gezd gnbv gy3t qojq gezd gnbv gy3t qojq")]}, UPLOAD_SCHEMA)


# --- the checklist's hand-kept lists (docs/ARCHITECTURE.md "Adding a method type") -----------------


def test_the_event_schemas_know_every_type_and_the_fields_it_describes() -> None:
    import json

    from tests.support_events import EVENTS_DIR

    common = json.loads((EVENTS_DIR / "common.schema.json").read_text())
    assert common["$defs"]["methodType"]["enum"] == list(REGISTRY)
    state = set(common["$defs"]["methodState"]["properties"])
    kind = REGISTRY["hardwareOath"]
    from securityinfo.storage.models import HardwareOathMethodItem

    method = HardwareOathMethodItem(serial_number="S1", manufacturer="Contoso", model="TOTP-6")
    assert set(kind.describe(method)) <= state
