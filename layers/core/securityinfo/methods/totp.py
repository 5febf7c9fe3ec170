"""RFC 6238 TOTP: SHA-1, 6 digits, 30 s steps, one step of drift either side, server clock only."""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
from hashlib import sha1
from urllib.parse import quote, urlencode

PERIOD = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommended length


def new_secret() -> str:
    """A base32 secret of 160 CSPRNG bits."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode()


def step_at(now: float) -> int:
    return int(now // PERIOD)


def code_for_step(secret_b32: str, step: int, digits: int = DIGITS) -> str:
    """HOTP(K, T) per RFC 4226 §5.3 with dynamic truncation."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), sha1).digest()
    offset = digest[-1] & 0x0F
    binary = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def matching_step(secret_b32: str, code: str, now: float) -> int | None:
    """The time step whose code equals ``code`` (current step ± drift), or None.

    Every candidate is compared in constant time and all are checked, so timing says nothing about
    which step matched.
    """
    current = step_at(now)
    found: int | None = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_for_step(secret_b32, step).encode(), code.encode()):
            found = step if found is None else found
    return found


def otpauth_uri(secret_b32: str, issuer: str, account: str) -> str:
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD}
    )
    return f"otpauth://totp/{label}?{query}"
