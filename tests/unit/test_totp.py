"""RFC 6238 behaviour of the TOTP core: what an authenticator app and an attacker would see."""

import base64

import pytest

from securityinfo.methods import totp

# RFC 6238 Appendix B, SHA-1, 8 digits, key "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix_time", "expected"), RFC_VECTORS)
def test_rfc6238_sha1_vectors(unix_time: int, expected: str) -> None:
    assert totp.code_for_step(RFC_SECRET, totp.step_at(unix_time), digits=8) == expected


def test_six_digit_codes_are_the_last_six_digits_of_the_rfc_vectors() -> None:
    for unix_time, expected in RFC_VECTORS:
        assert totp.code_for_step(RFC_SECRET, totp.step_at(unix_time)) == expected[-6:]


def test_secrets_are_160_random_bits_and_never_repeat() -> None:
    secrets = {totp.new_secret() for _ in range(200)}
    assert len(secrets) == 200
    for s in secrets:
        assert len(base64.b32decode(s)) == 20


def test_a_code_is_accepted_one_step_either_side_but_not_two() -> None:
    now = 1_700_000_015.0
    step = totp.step_at(now)
    for delta in (-1, 0, 1):
        code = totp.code_for_step(RFC_SECRET, step + delta)
        assert totp.matching_step(RFC_SECRET, code, now) == step + delta
    for delta in (-2, 2):
        code = totp.code_for_step(RFC_SECRET, step + delta)
        assert totp.matching_step(RFC_SECRET, code, now) is None


def test_wrong_code_matches_nothing() -> None:
    now = 1_700_000_015.0
    valid = {totp.code_for_step(RFC_SECRET, totp.step_at(now) + d) for d in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in valid)
    assert totp.matching_step(RFC_SECRET, wrong, now) is None


def test_otpauth_uri_carries_what_an_app_needs() -> None:
    uri = totp.otpauth_uri("JBSWY3DPEHPK3PXP", "Security Info", "alice@contoso.com")
    assert uri.startswith("otpauth://totp/Security%20Info%3Aalice%40contoso.com?")
    for part in (
        "secret=JBSWY3DPEHPK3PXP",
        "issuer=Security+Info",
        "algorithm=SHA1",
        "digits=6",
        "period=30",
    ):
        assert part in uri
