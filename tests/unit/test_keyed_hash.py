"""Keyed hashes: equal inputs match, purposes are separate domains, a weak key is refused."""

import pytest

from securityinfo.kernel.crypto import KeyedHasher


def test_keyed_hash_matches_only_the_same_value_purpose_and_key() -> None:
    hasher = KeyedHasher(b"k" * 32)
    digest = hasher.digest("12345678", "code")
    assert hasher.matches("12345678", "code", digest)
    assert not hasher.matches("12345679", "code", digest)
    assert hasher.digest("12345678", "app-password") != digest
    assert KeyedHasher(b"j" * 32).digest("12345678", "code") != digest
    assert "12345678" not in digest


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        KeyedHasher(b"short")
