"""A software security key for API tests: it answers WebAuthn options (Level 3 JSON) with what a
browser's ``credential.toJSON()`` gives, an EC P-256 key and a signature counter. The browser tests
use Chromium's virtual authenticator instead; this one lets integration tests reach corners a real
key cannot (a credential id another user already has, a counter that goes back), and make every
case the policy's authenticator rules tell apart:

* attestation ``none``, ``packed`` self attestation (signed by the credential key itself), or
  ``packed`` with an x5c chain: a leaf issued by a test CA (:class:`TestCa`, made with cryptography)
  with the FIDO packed attestation certificate's requirements (version 3, subject C/O/OU
  "Authenticator Attestation"/CN, not a CA, the id-fido-gen-ce-aaguid extension naming the AAGUID);
* the UV, BE (backup eligible: synced) and BS (backed up) flags, and the AAGUID;
* a resident key (a passkey): ``credProps.rk`` at registration and the user handle in assertions,
  as a usernameless sign-in needs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ORIGIN = "http://localhost:3000"  # the template's default WebAuthnOrigins
RP_ID = "localhost"
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
ZERO_AAGUID = "00000000-0000-0000-0000-000000000000"
YUBIKEY_5_NFC = "fa2b99dc-9e39-4257-8f92-4a30d23c4118"  # "YubiKey 5 Series with NFC" (aaguids.json)
GOOGLE_PASSWORD_MANAGER = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"
AAGUID_EXTENSION_OID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")  # id-fido-gen-ce-aaguid


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Key Vendor"),
    ]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


@dataclass
class TestCa:
    """A key vendor's attestation root for the tests: a self-signed CA, and leaves it issues."""

    __test__ = False  # not a pytest test class
    name: str = "Test Key Vendor Root CA"
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        now = datetime.now(UTC)
        subject = _name(self.name)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def attestation_cert(self, aaguid: str, *, aaguid_in_cert: str | None = None) -> tuple[bytes, Any]:
        """A packed attestation certificate (DER) and its key. ``aaguid_in_cert``: a different AAGUID
        in the extension than the authenticator data's (a lying key)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        named = uuid.UUID(aaguid_in_cert or aaguid).bytes
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Test Key Attestation", "Authenticator Attestation"))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            # The AAGUID as an OCTET STRING (DER 04 10 ...), not critical (FIDO packed attestation).
            .add_extension(
                x509.UnrecognizedExtension(AAGUID_EXTENSION_OID, b"\x04\x10" + named), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.DER), key


@dataclass
class SoftKey:
    # The origin the local runtime serves the pages on (it configures the functions with it).
    origin: str = field(default_factory=lambda: os.environ.get("WEBAUTHN_ORIGINS", ORIGIN).split(",")[0])
    rp_id: str = RP_ID
    counter: int = 0
    user_verified: bool = True
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    user_handle: str | None = None
    aaguid: str = ZERO_AAGUID
    # "none", "packed-self" or "packed-x5c" (a leaf issued by ``ca``)
    attestation: str = "none"
    ca: TestCa | None = None
    # A different AAGUID in the attestation certificate than in the authenticator data.
    aaguid_in_cert: str | None = None
    backup_eligible: bool = False  # BE: a synced passkey
    backed_up: bool = False  # BS
    # Whether the key stores the credential (a passkey); None: as the options ask (residentKey).
    resident: bool | None = None
    # Leave the user handle out of assertions (an authenticator that does not store it).
    send_user_handle: bool = True

    def _flags(self, attested: bool) -> int:
        return (
            UP
            | (UV if self.user_verified else 0)
            | (BE if self.backup_eligible else 0)
            | (BS if self.backed_up else 0)
            | (AT if attested else 0)
        )

    def _auth_data(self, attested: bool) -> bytes:
        flags = self._flags(attested)
        data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + self.counter.to_bytes(4, "big")
        if attested:
            numbers = self.key.public_key().public_numbers()
            cose = cbor2.dumps(
                {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
            )
            data += (
                uuid.UUID(self.aaguid).bytes
                + len(self.credential_id).to_bytes(2, "big")
                + self.credential_id
                + cose
            )
        return data

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """RegistrationResponseJSON for PublicKeyCredentialCreationOptionsJSON."""
        self.user_handle = options["user"]["id"]
        wanted = (options.get("authenticatorSelection") or {}).get("residentKey") == "required"
        rk = wanted if self.resident is None else self.resident
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        auth_data = self._auth_data(True)
        signed = auth_data + hashlib.sha256(client_data).digest()
        if self.attestation == "none":
            fmt, statement = "none", {}
        elif self.attestation == "packed-self":
            fmt, statement = "packed", {"alg": -7, "sig": self.key.sign(signed, ec.ECDSA(hashes.SHA256()))}
        elif self.attestation == "packed-x5c":
            ca = self.ca or TestCa()
            cert, cert_key = ca.attestation_cert(self.aaguid, aaguid_in_cert=self.aaguid_in_cert)
            fmt = "packed"
            statement = {"alg": -7, "sig": cert_key.sign(signed, ec.ECDSA(hashes.SHA256())), "x5c": [cert]}
        else:
            raise ValueError(self.attestation)
        attestation = cbor2.dumps({"fmt": fmt, "attStmt": statement, "authData": auth_data})
        extensions: dict[str, Any] = {}
        if (options.get("extensions") or {}).get("credProps"):
            extensions["credProps"] = {"rk": rk}
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": extensions,
            "authenticatorAttachment": "cross-platform",
        }

    def get(self, options: dict[str, Any], *, origin: str | None = None, bump: int = 1) -> dict[str, Any]:
        """AuthenticationResponseJSON for PublicKeyCredentialRequestOptionsJSON."""
        self.counter += bump
        auth_data = self._auth_data(False)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response: dict[str, Any] = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle and self.send_user_handle:
            response["userHandle"] = self.user_handle
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "cross-platform",
        }
