"""The sign-in service's passwordless check (server to server, IAM-authorized): a usernameless
WebAuthn ceremony with a passkey.

* ``options``: a challenge nobody owns yet (its own item, valid 5 minutes, used once) and request
  options without ``allowCredentials``, so the browser offers the passkeys it holds for the RP id.
  One PutItem; py_webauthn is not loaded for it (the options are a few fields).
* ``verify``: the challenge is marked used under a condition (one UpdateItem: a second use, also by
  a concurrent request, is 410, as is one older than 5 minutes); the credential id names its user and
  method through the credential's claim item (one GetItem); the method and the profile are read
  together (one TransactGetItems); a locked user is 423; then signature, origin, RP id, the user
  handle, the signature counter and user verification (per the policy) are checked, and the success
  is one transaction (the counter moved on under a condition, not locked, the failures reset, the
  event). A wrong answer for a known credential counts toward that user's lockout like any other.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from securityinfo.kernel import events
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import random_id
from securityinfo.kernel.errors import ChallengeExpired, InvalidCredential, NotFound
from securityinfo.kernel.validation import Field, validate
from securityinfo.methods import security_key
from securityinfo.policy.model import current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    CREDENTIAL_SK,
    PASSKEY_CHALLENGE_SK,
    PROFILE_SK,
    CredentialItem,
    MethodItem,
    PasskeyChallengeItem,
    ProfileItem,
    SecurityKeyMethodItem,
    credential_pk,
    method_sk,
    passkey_challenge_pk,
)
from securityinfo.verify import attempts

PURPOSE = "passwordless"
CHALLENGE_ID = Field(str, required=True, min_len=1, max_len=64, pattern=r"[A-Za-z0-9_-]+")
VERIFY_SCHEMA = {
    "challengeId": CHALLENGE_ID,
    "credential": Field(dict, required=True, hint="Send the credential as credential.toJSON() gives it."),
}
_CREDENTIAL_ID = re.compile(r"[A-Za-z0-9_-]{1,1400}")
_NOT_VERIFIED = "This passkey's answer could not be verified. Try again, or sign in another way."
_USED = "This sign-in challenge was already used or has expired. Ask for new options and try again."


def options(deps: Deps, service: Caller) -> dict[str, Any]:
    """POST /signin/passkey/options: 200 ``{challengeId, publicKey}``."""
    now = deps.clock.now()
    policy = current_policy()
    rp_id, _ = security_key.relying_party()
    challenge = security_key.b64url(secrets.token_bytes(security_key.CHALLENGE_BYTES))
    challenge_id = random_id("c")
    PasskeyChallengeItem(
        passkey_challenge_pk(challenge_id),
        PASSKEY_CHALLENGE_SK,
        challenge=challenge,
        created_at=now,
        expires_at=now + security_key.CEREMONY_SECONDS,
        ttl=int(now + security_key.CEREMONY_SECONDS + 86400),
    ).save()
    return {
        "challengeId": challenge_id,
        "publicKey": {
            "challenge": challenge,
            "timeout": security_key.CEREMONY_SECONDS * 1000,
            "rpId": rp_id,
            # Usernameless: no allowCredentials, the browser offers the passkeys it holds.
            "allowCredentials": [],
            "userVerification": security_key.user_verification(policy),
        },
    }


def verify(deps: Deps, service: Caller, body: Any) -> dict[str, Any]:
    """POST /signin/passkey/verify: 200 ``{userId, methodId, userVerified}``; 400 invalid_credential;
    410 challenge used or expired; 423 locked."""
    from webauthn import verify_authentication_response
    from webauthn.helpers.exceptions import WebAuthnException

    data = validate(body, VERIFY_SCHEMA)
    now = deps.clock.now()
    challenge = _consume(data["challengeId"], now)
    credential: dict[str, Any] = data["credential"]
    credential_id = credential.get("rawId", credential.get("id"))
    # base64url only: anything else names no credential (and must not reach a key: 2 KB at most).
    if not isinstance(credential_id, str) or not _CREDENTIAL_ID.fullmatch(credential_id):
        raise InvalidCredential(_NOT_VERIFIED, field="credential")
    try:
        claim = CredentialItem.get(credential_pk(credential_id), CREDENTIAL_SK)
    except CredentialItem.DoesNotExist:
        # Nobody's credential: no user to count a failure for.
        raise InvalidCredential(_NOT_VERIFIED, field="credential") from None
    user_id, method_id = claim.user_id, claim.method_id
    method_item, profile_item = store.get_many(deps.connection, user_id, method_sk(method_id), PROFILE_SK)
    key = store.typed(method_item, SecurityKeyMethodItem)
    profile = store.typed(profile_item, ProfileItem)
    if key is None or key.credential_id != credential_id:
        # The claim outlived its method for a moment (a removal in flight): nothing to verify.
        raise InvalidCredential(_NOT_VERIFIED, field="credential")
    attempts.ensure_unlocked(profile, now)
    policy = current_policy()
    caller = service._replace(user_id=user_id)
    rp_id, origins = security_key.relying_party()
    try:
        if not _same_user_handle(credential, profile):
            raise InvalidCredential(_NOT_VERIFIED)
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=security_key.unb64url(challenge),
            expected_rp_id=rp_id,
            expected_origin=origins,
            credential_public_key=key.public_key,
            credential_current_sign_count=int(key.sign_count),
            require_user_verification=security_key.user_verification(policy) == "required",
        )
        if security_key.b64url(verified.credential_id) != key.credential_id:
            raise InvalidCredential(_NOT_VERIFIED)
    except (WebAuthnException, ValueError, KeyError, TypeError, InvalidCredential):
        # A wrong signature, origin, RP id or user handle, a counter that did not move on (a
        # cloned key), or no user verification where the policy requires it: a failure of this user.
        attempts.wrong_answer(
            deps,
            caller,
            policy,
            method_type=key.method_type,
            method_id=key.method_id,
            purpose=PURPOSE,
            user_id=user_id,
        )
        raise InvalidCredential(_NOT_VERIFIED, field="credential") from None
    _approve(deps, caller, key, profile, verified.new_sign_count, now, policy)
    return {"userId": user_id, "methodId": method_id, "userVerified": bool(verified.user_verified)}


def _consume(challenge_id: str, now: float) -> str:
    """Mark the challenge used (once, also against a concurrent request) and return it; 410 when it
    was used, is unknown or is older than 5 minutes (checked here, never left to TTL)."""
    item = PasskeyChallengeItem(passkey_challenge_pk(challenge_id), PASSKEY_CHALLENGE_SK)
    try:
        item.update(
            actions=[PasskeyChallengeItem.used_at.set(now)],
            condition=PasskeyChallengeItem.pk.exists() & PasskeyChallengeItem.used_at.does_not_exist(),
        )
    except UpdateError:
        raise ChallengeExpired(_USED) from None
    if item.expires_at <= now:
        raise ChallengeExpired(_USED)
    return str(item.challenge)


def _same_user_handle(credential: dict[str, Any], profile: ProfileItem | None) -> bool:
    """A usernameless answer must carry the user handle, and it must be its owner's (WebAuthn §7.2)."""
    response = credential.get("response")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    expected = profile.webauthn_user_handle if profile is not None else None
    if not isinstance(handle, str) or not expected:
        return False
    try:
        sent = security_key.unb64url(handle)
    except ValueError:
        return False
    return hmac.compare_digest(sent, security_key.unb64url(str(expected)))


def _approve(
    deps: Deps,
    caller: Caller,
    key: SecurityKeyMethodItem,
    profile: ProfileItem | None,
    new_sign_count: int,
    now: float,
    policy: Any,
) -> None:
    tw = outbox.Change(deps)
    try:
        with tw:
            tw.update(
                key,
                actions=[
                    SecurityKeyMethodItem.sign_count.set(new_sign_count),
                    MethodItem.last_used_at.set(now),
                ],
                # Nobody advanced the counter meanwhile (two assertions racing) and the key is still there.
                condition=MethodItem.pk.exists() & (SecurityKeyMethodItem.sign_count == key.sign_count),
                refusal=InvalidCredential(_NOT_VERIFIED, field="credential"),
            )
            attempts.succeeded(tw, caller.user_id, now, policy, profile)
            tw.emit(
                "VerificationSucceeded",
                events.detail(
                    caller, now, method_type=key.method_type, method_id=key.method_id, purpose=PURPOSE
                ),
            )
    except TransactWriteError as error:
        tw.refuse(error, NotFound("No such credential."))
