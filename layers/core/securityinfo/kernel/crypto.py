"""Randomness, hashing and the KMS envelope for authenticator secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any, Protocol

from securityinfo.kernel.errors import DependencyFailed


def random_id(prefix: str, nbytes: int = 10) -> str:
    """An opaque id: prefix + lowercase base32 of CSPRNG bytes (10 bytes = 80 bits)."""
    return prefix + base64.b32encode(secrets.token_bytes(nbytes)).decode().rstrip("=").lower()


def random_token(nbytes: int = 32) -> str:
    """A bearer token for the client to keep (256 bits, base64url)."""
    return secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    """For high-entropy tokens only; low-entropy secrets need a keyed or slow hash."""
    return hashlib.sha256(value.encode()).hexdigest()


def equal(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode(), b.encode())


class KeyedHasher:
    """HMAC-SHA256 under the service's hash key (kept in Secrets Manager, never in the table), so a
    copy of the table alone cannot test guesses of a code or an app password offline."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("hash key too short")
        self._key = key

    def digest(self, value: str, purpose: str) -> str:
        # The purpose separates domains: a code's hash is never an app password's hash.
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def matches(self, value: str, purpose: str, expected_digest: str) -> bool:
        return hmac.compare_digest(self.digest(value, purpose), expected_digest)


class SecretBox(Protocol):
    def seal(self, plaintext: bytes, context: dict[str, str]) -> bytes: ...

    def open(self, ciphertext: bytes, context: dict[str, str]) -> bytes: ...


class KmsSecretBox:
    """Encrypts small secrets with the stack's KMS key under an encryption context (user, method),
    so a ciphertext moved to another user's or method's item does not decrypt."""

    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self._key_id = key_id

    def seal(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        try:
            out = self._client.encrypt(KeyId=self._key_id, Plaintext=plaintext, EncryptionContext=context)
        except Exception as exc:  # any KMS failure: refuse rather than store a secret unprotected
            raise DependencyFailed("Could not protect the secret right now; try again.") from exc
        return bytes(out["CiphertextBlob"])

    def open(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        try:
            out = self._client.decrypt(
                KeyId=self._key_id, CiphertextBlob=ciphertext, EncryptionContext=context
            )
        except Exception as exc:  # fail closed: no decrypt, no verification
            raise DependencyFailed("Could not check the code right now; try again.") from exc
        return bytes(out["Plaintext"])


def secret_context(user_id: str, method_id: str) -> dict[str, str]:
    return {"userId": user_id, "methodId": method_id, "purpose": "authenticator-secret"}


def token_secret_context(serial_number: str) -> dict[str, str]:
    """An uploaded hardware token's secret, before any user has it: bound to its serial number."""
    return {"serialNumber": serial_number, "purpose": "hardware-token-secret"}
