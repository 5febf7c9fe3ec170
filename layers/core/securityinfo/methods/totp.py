"""RFC 6238 TOTP: SHA-1, 6 digits, 30 s steps, one step of drift either side, server clock only.

Hardware OATH tokens bring their own parameters (6 or 8 digits, 30 or 60 s, SHA-1 or SHA-256):
``Params``; the defaults are the authenticator apps' ones."""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
from hashlib import sha1, sha256
from typing import NamedTuple
from urllib.parse import quote, urlencode

PERIOD = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length
HASHES = {"sha1": sha1, "sha256": sha256}


class Params(NamedTuple):
    """A TOTP generator's parameters: digits, step length in seconds, the HMAC's hash."""

    digits: int = DIGITS
    period: int = PERIOD
    algorithm: str = "sha1"


APP = Params()


def new_secret() -> str:
    """A base32 secret of 160 CSPRNG bits."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()


def step_at(now: float, period: int = PERIOD) -> int:
    return int(now // period)


def decode_secret(secret_b32: str) -> bytes:
    """The key bytes of a base32 secret (padding optional, any case); binascii.Error if not base32."""
    return base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)


def code_for_step(secret_b32: str, step: int, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """HOTP(K, T) per RFC 4226 §5.3 with dynamic truncation (RFC 6238 §1.2: HMAC-SHA-256 too)."""
    key = decode_secret(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", step), HASHES[algorithm]).digest()
    offset = digest[-1] & 0x0F
    binary = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def matching_step(secret_b32: str, code: str, now: float, params: Params = APP) -> int | None:
    """The time step whose code equals ``code`` (current step ± drift), or None.

    Every candidate is compared in constant time and all are checked, so timing says nothing about
    which step matched.
    """
    current = step_at(now, params.period)
    found: int | None = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        candidate = code_for_step(secret_b32, step, params.digits, params.algorithm)
        if hmac.compare_digest(candidate.encode(), code.encode()):
            found = step if found is None else found
    return found


def otpauth_uri(secret_b32: str, issuer: str, account: str) -> str:
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD}
    )
    return f"otpauth://totp/{label}?{query}"
