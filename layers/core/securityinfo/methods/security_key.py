"""``securityKey``: a FIDO2 security key or passkey, by the WebAuthn ceremonies (py_webauthn).

Options go out in the WebAuthn Level 3 JSON form (binary fields base64url), so a browser passes them
to ``PublicKeyCredential.parse*OptionsFromJSON`` and sends back ``credential.toJSON()``. Challenges
are 32 random bytes, valid 5 minutes and answered once. The RP id and the allowed origins come from
configuration (``WEBAUTHN_RP_ID``, ``WEBAUTHN_ORIGINS``). py_webauthn (and cryptography under it) is
imported inside the functions that use it, so every other function's cold start skips it.
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING, Any

from securityinfo.kernel.config import webauthn_relying_party
from securityinfo.kernel.errors import InvalidCredential
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
        "displayName": Field(str, required=True, min_len=1, max_len=64, hint="A name of 1 to 64 characters.")
    }
    completion_schema = {"credential": _CREDENTIAL}
    verification_schema = {"credential": _CREDENTIAL}
    default_display_name = "Security key"
    registration_seconds = CEREMONY_SECONDS
    verification_seconds = CEREMONY_SECONDS

    def strength(self, method: MethodItem) -> int:
        return 10

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
        reg.data = {"challenge": b64url(secrets.token_bytes(CHALLENGE_BYTES)), "userHandle": str(handle)}
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
            AuthenticatorSelectionCriteria,
            ResidentKeyRequirement,
            UserVerificationRequirement,
        )

        rp_id, _ = relying_party()
        data = map_data(reg.data)
        name = ctx.caller.username or ctx.caller.user_id
        options = generate_registration_options(
            rp_id=rp_id,
            rp_name=ctx.deps.totp_issuer,
            user_id=unb64url(str(data["userHandle"])),
            user_name=name,
            user_display_name=name,
            challenge=unb64url(str(data["challenge"])),
            timeout=CEREMONY_SECONDS * 1000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement(user_verification(ctx.policy)),
            ),
            exclude_credentials=[_descriptor(k) for k in keys],
            supported_pub_key_algs=[
                COSEAlgorithmIdentifier.ECDSA_SHA_256,
                COSEAlgorithmIdentifier.EDDSA,
                COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
            ],
        )
        return dict(options_to_json_dict(options))

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        from webauthn import verify_registration_response
        from webauthn.helpers.exceptions import WebAuthnException

        rp_id, origins = relying_party()
        credential = data["credential"]
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=unb64url(str(map_data(reg.data)["challenge"])),
                expected_rp_id=rp_id,
                expected_origin=origins,
                require_user_verification=user_verification(ctx.policy) == "required",
            )
        except (WebAuthnException, ValueError, KeyError, TypeError):
            raise InvalidCredential(_NOT_VERIFIED) from None
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
        return {"aaguid": method.aaguid if isinstance(method, SecurityKeyMethodItem) else None}

    def linked_items(self, method: MethodItem) -> list[Item]:
        return [CredentialItem(credential_pk(_key(method).credential_id), CREDENTIAL_SK)]


def _key(method: MethodItem) -> SecurityKeyMethodItem:
    if not isinstance(method, SecurityKeyMethodItem):
        raise TypeError("not a securityKey method")
    return method
