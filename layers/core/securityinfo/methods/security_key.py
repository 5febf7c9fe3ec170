"""``securityKey``: a FIDO2 security key or passkey, by the WebAuthn ceremonies (py_webauthn).

Options go out in the WebAuthn Level 3 JSON form (binary fields base64url), so a browser passes them
to ``PublicKeyCredential.parse*OptionsFromJSON`` and sends back ``credential.toJSON()``. Challenges
are 32 random bytes, valid 5 minutes and answered once. The RP id and the allowed origins come from
configuration (``WEBAUTHN_RP_ID``, ``WEBAUTHN_ORIGINS``). py_webauthn (and cryptography under it) is
imported inside the functions that use it, so every other function's cold start skips it.

A registration may ask for a passkey (``passkey: true``: a discoverable credential, resident key
required), which needs a step-up from the last 5 minutes. Every key records its AAGUID and the model
it names (``aaguids.json``), whether it is a passkey, synced (backup eligible) or device-bound, and
whether its attestation chained to a root the administrator trusts. The policy's authenticator
rules (``securityKey``) are applied when the registration completes (``authenticator_rules``).
"""

from __future__ import annotations

import base64
import json
import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from securityinfo.kernel.config import webauthn_relying_party
from securityinfo.kernel.errors import AuthenticatorNotAllowed, InvalidCredential
from securityinfo.kernel.validation import Field
from securityinfo.methods.base import MFA, SSPR, MethodContext, MethodKind, Proof, Registered
from securityinfo.storage import store
from securityinfo.storage.models import (
    CREDENTIAL_SK,
    CredentialItem,
    Item,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    SecurityKeyMethodItem,
    VerificationItem,
    credential_pk,
    map_data,
    profile_ref,
    profile_touch,
)

if TYPE_CHECKING:  # handed in by the caller (the policy sits above the types)
    from securityinfo.policy.model import Policy

CHALLENGE_BYTES = 32
CEREMONY_SECONDS = 300
# Registering a passkey needs a step-up at most this old (a passkey signs in without a password).
PASSKEY_STEP_UP_SECONDS = 300
UNKNOWN_MODEL = "Security key"
ZERO_AAGUID = "00000000-0000-0000-0000-000000000000"
# id-fido-gen-ce-aaguid: the attestation certificate's extension naming the authenticator's AAGUID.
AAGUID_EXTENSION_OID = "1.3.6.1.4.1.45724.1.1.4"
_TRANSPORTS = ("usb", "nfc", "ble", "internal", "hybrid", "smart-card", "cable")
_CREDENTIAL = Field(dict, required=True, hint="Send the credential as credential.toJSON() gives it.")
_NOT_VERIFIED = "Your security key's answer could not be verified. Try again with the same key."


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def relying_party() -> tuple[str, list[str]]:
    """The RP id and allowed origins (from the settings, on each use)."""
    return webauthn_relying_party()


def user_verification(policy: Policy) -> str:
    """required (default, as Entra does for FIDO2), preferred or discouraged."""
    value = (policy.document.get("securityKey") or {}).get("userVerification", "required")
    return value if value in ("required", "preferred", "discouraged") else "required"


@cache
def known_models() -> dict[str, str]:
    """AAGUID -> model name, from the table kept in the repo (aaguids.json says where it came from)."""
    table = json.loads((Path(__file__).with_name("aaguids.json")).read_text(encoding="utf-8"))
    return {str(k).lower(): str(v) for k, v in table["aaguids"].items()}


def model_of(aaguid: str | None) -> str:
    """The authenticator's model, or "Security key" for an AAGUID the table does not know (and the
    all-zero one a "none" attestation or a privacy-minded authenticator sends)."""
    return known_models().get((aaguid or "").lower(), UNKNOWN_MODEL)


def _rules(policy: Policy) -> dict[str, Any]:
    rules: dict[str, Any] = policy.security_key_rules
    return rules


def _wants_attestation(rules: dict[str, Any]) -> bool:
    """Ask for the authenticator's attestation ("direct") only when a rule needs to know what the key
    is: browsers may erase the AAGUID of a "none" attestation, and ask the user before sharing one."""
    return rules["attestation"] == "required" or bool(rules["allowedAaguids"] or rules["blockedAaguids"])


def authenticator_rules(
    rules: dict[str, Any], *, aaguid: str, user_verified: bool, synced: bool, attested: bool
) -> None:
    """The policy's authenticator rules, in the order they are told: 400 authenticator_not_allowed
    naming the rule that refused the key."""
    aaguid = aaguid.lower()
    if rules["userVerification"] == "required" and not user_verified:
        raise AuthenticatorNotAllowed(
            "User verification (PIN or biometric) is required by your organization: set up a PIN or "
            "fingerprint on this key, or use another key, and try again.",
            field="credential",
        )
    if aaguid in rules["blockedAaguids"]:
        raise AuthenticatorNotAllowed(
            "This key's model is blocked by your organization. Use another security key or passkey.",
            field="credential",
        )
    if rules["allowedAaguids"] and aaguid not in rules["allowedAaguids"]:
        raise AuthenticatorNotAllowed(
            "This key's model is not one your organization allows. Use a security key or passkey "
            "your organization approved.",
            field="credential",
        )
    if synced and not rules["allowSynced"]:
        raise AuthenticatorNotAllowed(
            "Synced passkeys are not allowed by your organization: use a security key, or a passkey "
            "kept on this device only.",
            field="credential",
        )
    if rules["attestation"] == "required" and not attested:
        raise AuthenticatorNotAllowed(
            "Your organization requires keys whose attestation can be verified, and this key's could "
            "not be. Use a security key your organization approved.",
            field="credential",
        )


def attestation_chains(attestation_object: bytes, aaguid: str, roots: list[str]) -> bool:
    """Whether the attestation statement's certificate chain ends at one of ``roots`` (the check
    py_webauthn's ``pem_root_certs_bytes_by_fmt`` makes, done here so that a chain that does not verify
    is told as the attestation rule, not as a broken answer), and its leaf names the same AAGUID as
    the authenticator data where it carries id-fido-gen-ce-aaguid. Self and "none" attestations have
    no chain: never attested."""
    from cryptography import x509
    from webauthn.helpers import parse_attestation_object, validate_certificate_chain
    from webauthn.helpers.exceptions import InvalidCertificateChain

    if not roots:
        return False
    statement = parse_attestation_object(attestation_object).att_stmt
    x5c = statement.x5c if statement is not None else None
    if not x5c:
        return False
    try:
        validate_certificate_chain(x5c=x5c, pem_root_certs_bytes=[r.strip().encode() for r in roots])
    except InvalidCertificateChain:
        return False
    leaf = x509.load_der_x509_certificate(x5c[0])
    try:
        extension = leaf.extensions.get_extension_for_oid(x509.ObjectIdentifier(AAGUID_EXTENSION_OID))
    except x509.ExtensionNotFound:
        return True
    value = extension.value
    raw = value.value if isinstance(value, x509.UnrecognizedExtension) else b""
    # An OCTET STRING of the 16 bytes (DER: 04 10 <aaguid>).
    return raw[-16:].hex() == aaguid.replace("-", "").lower() and len(raw) == 18


def _descriptor(method: SecurityKeyMethodItem) -> Any:
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    transports = [AuthenticatorTransport(t) for t in (method.transports or []) if t in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=unb64url(method.credential_id), transports=transports or None)


class SecurityKey(MethodKind):
    type_name = "securityKey"
    usable_for = (MFA, SSPR)
    limit_group = "key"
    limit = 10
    limit_counters = {"key": ProfileItem.key_count}
    words = "security key"
    label = "Security key or passkey"
    registration_schema = {
        "displayName": Field(str, required=True, min_len=1, max_len=64, hint="A name of 1 to 64 characters."),
        "passkey": Field(
            bool, hint="true: a passkey (a discoverable credential), which signs in without a username."
        ),
    }
    completion_schema = {"credential": _CREDENTIAL}
    verification_schema = {"credential": _CREDENTIAL}
    default_display_name = "Security key"
    registration_seconds = CEREMONY_SECONDS
    verification_seconds = CEREMONY_SECONDS

    def strength(self, method: MethodItem) -> int:
        return 10

    def step_up_seconds(self, data: dict[str, Any]) -> int | None:
        # A passkey signs in on its own: the step-up that adds one must be recent.
        return PASSKEY_STEP_UP_SECONDS if data.get("passkey") else None

    # -- registration ---------------------------------------------------------------------------

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        profile, methods = store.methods_and_profile(ctx.caller.user_id)
        handle = profile.webauthn_user_handle if profile is not None else None
        if not handle:
            # Random, never the user's name or id; set once (if-not-exists) and kept for every key.
            ref = profile_ref(ctx.caller.user_id)
            ref.update(
                actions=[
                    *profile_touch(),
                    ProfileItem.webauthn_user_handle.set(
                        ProfileItem.webauthn_user_handle | b64url(secrets.token_bytes(32))
                    ),
                ]
            )
            handle = ref.webauthn_user_handle
        reg.data = {
            "challenge": b64url(secrets.token_bytes(CHALLENGE_BYTES)),
            "userHandle": str(handle),
            "passkey": bool(data.get("passkey")),
        }
        # One answer per challenge: a failed ceremony ends the registration.
        reg.attempts_left = 1
        keys = [m for m in methods if isinstance(m, SecurityKeyMethodItem)]
        return {"publicKey": self._creation_options(ctx, reg, keys)}

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        _, methods = store.methods_and_profile(ctx.caller.user_id)
        keys = [m for m in methods if isinstance(m, SecurityKeyMethodItem)]
        return {"publicKey": self._creation_options(ctx, reg, keys)}

    def _creation_options(
        self, ctx: MethodContext, reg: RegistrationItem, keys: list[SecurityKeyMethodItem]
    ) -> dict[str, Any]:
        from webauthn import generate_registration_options
        from webauthn.helpers import options_to_json_dict
        from webauthn.helpers.cose import COSEAlgorithmIdentifier
        from webauthn.helpers.structs import (
            AttestationConveyancePreference,
            AuthenticatorSelectionCriteria,
            ResidentKeyRequirement,
            UserVerificationRequirement,
        )

        rp_id, _ = relying_party()
        data = map_data(reg.data)
        name = ctx.caller.username or ctx.caller.user_id
        passkey = bool(data.get("passkey"))
        wants = _wants_attestation(_rules(ctx.policy))
        options = generate_registration_options(
            rp_id=rp_id,
            rp_name=ctx.deps.totp_issuer,
            user_id=unb64url(str(data["userHandle"])),
            user_name=name,
            user_display_name=name,
            challenge=unb64url(str(data["challenge"])),
            timeout=CEREMONY_SECONDS * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                # A passkey must be discoverable; a plain key need not store anything.
                resident_key=ResidentKeyRequirement.REQUIRED
                if passkey
                else ResidentKeyRequirement.DISCOURAGED,
                user_verification=UserVerificationRequirement(user_verification(ctx.policy)),
            ),
            attestation=AttestationConveyancePreference.DIRECT
            if wants
            else AttestationConveyancePreference.NONE,
            exclude_credentials=[_descriptor(k) for k in keys],
            supported_pub_key_algs=[
                COSEAlgorithmIdentifier.ECDSA_SHA_256,
                COSEAlgorithmIdentifier.EDDSA,
                COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
            ],
        )
        out = dict(options_to_json_dict(options))
        # credProps: the browser says whether it made a discoverable credential (py_webauthn 2.8
        # has no parameter for extensions).
        out["extensions"] = {"credProps": True}
        return out

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        from webauthn import verify_registration_response
        from webauthn.helpers.exceptions import WebAuthnException

        rp_id, origins = relying_party()
        credential = data["credential"]
        stored = map_data(reg.data)
        rules = _rules(ctx.policy)
        try:
            # User verification is the policy's rule, checked below so a refusal can say so.
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=unb64url(str(stored["challenge"])),
                expected_rp_id=rp_id,
                expected_origin=origins,
                require_user_verification=False,
            )
            attested = attestation_chains(verified.attestation_object, verified.aaguid, rules["trustedRoots"])
        except (WebAuthnException, ValueError, KeyError, TypeError):
            raise InvalidCredential(_NOT_VERIFIED) from None
        synced = verified.credential_device_type == "multi_device"
        try:
            authenticator_rules(
                rules,
                aaguid=verified.aaguid,
                user_verified=verified.user_verified,
                synced=synced,
                attested=attested,
            )
        except AuthenticatorNotAllowed:
            # The ceremony is over either way: one answer per challenge.
            reg.delete()
            raise
        credential_id = b64url(verified.credential_id)
        response = credential.get("response") if isinstance(credential.get("response"), dict) else {}
        transports = [
            t for t in (response.get("transports") or []) if isinstance(t, str) and t in _TRANSPORTS
        ]
        method = SecurityKeyMethodItem(
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            aaguid=verified.aaguid,
            transports=transports or None,
            passkey=_discoverable(credential, bool(stored.get("passkey"))),
            synced=synced,
            attested=attested,
        )
        claim = CredentialItem(
            credential_pk(credential_id), CREDENTIAL_SK, user_id=ctx.caller.user_id, method_id=reg.method_id
        )
        return Registered(method=method, linked=[claim])

    # -- verification ---------------------------------------------------------------------------

    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        verification.data = {"challenge": b64url(secrets.token_bytes(CHALLENGE_BYTES))}
        verification.attempts_left = 1
        return self.challenge(ctx, method, verification)

    def challenge(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        from webauthn import generate_authentication_options
        from webauthn.helpers import options_to_json_dict
        from webauthn.helpers.structs import UserVerificationRequirement

        rp_id, _ = relying_party()
        options = generate_authentication_options(
            rp_id=rp_id,
            challenge=unb64url(str(map_data(verification.data)["challenge"])),
            timeout=CEREMONY_SECONDS * 1000,
            allow_credentials=[_descriptor(_key(method))],
            user_verification=UserVerificationRequirement(user_verification(ctx.policy)),
        )
        return {"publicKey": dict(options_to_json_dict(options))}

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        from webauthn import verify_authentication_response
        from webauthn.helpers.exceptions import WebAuthnException

        key = _key(method)
        rp_id, origins = relying_party()
        credential = data["credential"]
        if credential.get("rawId", credential.get("id")) != key.credential_id:
            raise InvalidCredential(_NOT_VERIFIED)
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=unb64url(str(map_data(verification.data)["challenge"])),
                expected_rp_id=rp_id,
                expected_origin=origins,
                credential_public_key=key.public_key,
                credential_current_sign_count=int(key.sign_count),
                require_user_verification=user_verification(ctx.policy) == "required",
            )
        except (WebAuthnException, ValueError, KeyError, TypeError):
            # A signature counter that did not increase lands here too (a cloned key).
            raise InvalidCredential(_NOT_VERIFIED) from None
        if b64url(verified.credential_id) != key.credential_id:
            raise InvalidCredential(_NOT_VERIFIED)
        return Proof(
            actions=[SecurityKeyMethodItem.sign_count.set(verified.new_sign_count)],
            # Nobody advanced the counter meanwhile (two assertions racing).
            condition=SecurityKeyMethodItem.sign_count == key.sign_count,
        )

    def describe(self, method: MethodItem) -> dict[str, Any]:
        key = _key(method)
        return {
            "aaguid": key.aaguid,
            "model": model_of(key.aaguid),
            "passkey": bool(key.passkey),
            "synced": bool(key.synced),
            "attested": bool(key.attested),
        }

    def linked_items(self, method: MethodItem) -> list[Item]:
        return [CredentialItem(credential_pk(_key(method).credential_id), CREDENTIAL_SK)]


def _discoverable(credential: dict[str, Any], requested: bool) -> bool:
    """A passkey: what the browser's credProps says it made, else what was asked for (resident key
    required makes the authenticator store it or fail)."""
    results = credential.get("clientExtensionResults")
    props = results.get("credProps") if isinstance(results, dict) else None
    rk = props.get("rk") if isinstance(props, dict) else None
    return rk if isinstance(rk, bool) else requested


def _key(method: MethodItem) -> SecurityKeyMethodItem:
    if not isinstance(method, SecurityKeyMethodItem):
        raise TypeError("not a securityKey method")
    return method
