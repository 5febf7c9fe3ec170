"""The authenticator app's own API (no user token): activation, pending requests, approvals.

After activation a device proves every request with the P-256 key it registered: the signature covers
``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nHEX(SHA256(body))``; the timestamp must be within 5 minutes of
the service clock and a nonce is accepted once (a conditional put). Anything else is 401, with one
message for an unknown device and a bad signature, so device ids cannot be probed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from securityinfo.kernel import events
from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import equal, random_id, secret_context
from securityinfo.kernel.errors import (
    ActivationCodeExpired,
    ActivationCodeInvalid,
    AlreadyAnswered,
    DeviceClockSkew,
    DeviceReplay,
    DeviceUnauthorized,
    InvalidField,
    Locked,
    MissingField,
    NotFound,
    NumberMismatch,
    RequestExpired,
)
from securityinfo.kernel.http import SignedRequest
from securityinfo.kernel.i18n import Text, t
from securityinfo.kernel.validation import Field, validate
from securityinfo.methods import authenticator_app as app_kind
from securityinfo.methods import totp
from securityinfo.methods.base import PURPOSES, MethodContext
from securityinfo.policy.model import Policy, current_policy
from securityinfo.storage import outbox, store
from securityinfo.storage.models import (
    APP_DEVICE_SK,
    AppDeviceItem,
    DeviceNonceItem,
    Item,
    RegistrationItem,
    VerificationItem,
    app_device_pk,
    device_nonce_sk,
    map_data,
    user_pk,
    verification_sk,
)
from securityinfo.verify import attempts

CLOCK_SKEW_SECONDS = 300
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_DEVICE_ID = re.compile(r"d[a-z2-7]{16}")
_COORDINATE = Field(str, required=True, pattern=r"[A-Za-z0-9_-]{43}", hint="A base64url P-256 coordinate.")
JWK_SCHEMA = {
    "kty": Field(str, required=True, choices=("EC",)),
    "crv": Field(str, required=True, choices=("P-256",)),
    "x": _COORDINATE,
    "y": _COORDINATE,
    # What WebCrypto's exportKey("jwk") adds; accepted and not stored.
    "ext": Field(bool),
    "key_ops": Field(list, max_len=4, items=Field(str, max_len=16)),
    "alg": Field(str, choices=("ES256",)),
    "use": Field(str, choices=("sig",)),
}
ACTIVATE_SCHEMA = {
    "activationCode": Field(str, required=True, min_len=1, max_len=64),
    "publicKeyJwk": Field(dict, required=True, schema=JWK_SCHEMA),
    "pushToken": Field(str, min_len=1, max_len=4096),
    "deviceName": Field(str, required=True, min_len=1, max_len=64, hint="A name of 1 to 64 characters."),
}
DECISIONS = ("approve", "deny", "fraud")
DECISION_SCHEMA = {
    "decision": Field(str, required=True, choices=DECISIONS),
    "numberEntered": Field(str, min_len=1, max_len=8),
}
_UNAUTHORIZED = "This device could not be verified. Activate the app again from Security info."


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes a device signs (docs/API.md)."""
    return f"{method}\n{path}\n{timestamp}\n{nonce}\n{hashlib.sha256(body).hexdigest()}".encode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key(jwk: dict[str, Any]) -> Any:
    """The EC P-256 public key of a JWK; ValueError if it is not a point on the curve."""
    from cryptography.hazmat.primitives.asymmetric import ec  # deferred: only device functions pay

    x, y = _b64url_decode(str(jwk["x"])), _b64url_decode(str(jwk["y"]))
    if len(x) != 32 or len(y) != 32:
        raise ValueError("coordinates must be 32 bytes")
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
    )
    return numbers.public_key()


def _signature_ok(jwk_text: str, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        public_key(json.loads(jwk_text)).verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _device_caller(device: AppDeviceItem, request: SignedRequest) -> Caller:
    """The device acts for the user it was activated for."""
    return Caller(
        user_id=device.user_id,
        source_ip=request.source_ip,
        user_agent=request.user_agent,
        correlation_id=request.correlation_id,
    )


def authenticate(deps: Deps, request: SignedRequest, device_id: str) -> AppDeviceItem:
    """The device, once its signature, timestamp and nonce check out; 401 otherwise."""
    timestamp, nonce, signature = request.timestamp, request.nonce, request.signature
    if not (timestamp and nonce and signature):
        raise DeviceUnauthorized(
            "Sign the request: send X-Device-Timestamp, X-Device-Nonce and X-Device-Signature.",
        )
    now = deps.clock.now()
    if not re.fullmatch(r"\d{1,12}", timestamp) or abs(int(timestamp) - now) > CLOCK_SKEW_SECONDS:
        raise DeviceClockSkew(
            "The request's timestamp is more than 5 minutes off the service clock; check the phone's clock.",
            now,
        )
    if not (_B64URL.fullmatch(nonce) and 22 <= len(nonce) <= 128):
        raise DeviceUnauthorized("X-Device-Nonce must be 16 or more random bytes, base64url.")
    if not (_B64URL.fullmatch(signature) and len(signature) <= 128):
        raise DeviceUnauthorized(_UNAUTHORIZED)
    if not _DEVICE_ID.fullmatch(device_id):
        raise DeviceUnauthorized(_UNAUTHORIZED)
    try:
        device = AppDeviceItem.get(app_device_pk(device_id), APP_DEVICE_SK, consistent_read=True)
    except AppDeviceItem.DoesNotExist:
        raise DeviceUnauthorized(_UNAUTHORIZED) from None
    try:
        raw_signature = _b64url_decode(signature)
    except (binascii.Error, ValueError):
        raise DeviceUnauthorized(_UNAUTHORIZED) from None
    message = canonical(request.method, request.path, timestamp, nonce, request.body)
    if not _signature_ok(device.public_key_jwk, raw_signature, message):
        raise DeviceUnauthorized(_UNAUTHORIZED)
    # Last, so a forged request cannot burn a nonce. A nonce outlives the timestamp window, and a
    # timestamp outside the window is refused above: a signed request is accepted at most once.
    try:
        DeviceNonceItem(
            app_device_pk(device_id),
            device_nonce_sk(nonce),
            created_at=now,
            ttl=int(now + 2 * CLOCK_SKEW_SECONDS + 3600),
        ).save(condition=DeviceNonceItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise DeviceReplay(
                "This request was already received (nonce reused). Sign each request with a new nonce.",
            ) from None
        raise
    return device


# -- activation ---------------------------------------------------------------------------------


def activate(deps: Deps, request: SignedRequest, body: Any) -> dict[str, Any]:
    """Bind the app (public key, push token) to the registration its activation code names, send the
    test notification, and give the app its TOTP settings: 201."""
    connection = deps.connection
    data = validate(body, ACTIVATE_SCHEMA)
    try:
        public_key(data["publicKeyJwk"])
    except ValueError:
        raise InvalidField("publicKeyJwk is not an EC P-256 public key.", field="publicKeyJwk") from None
    jwk = {k: data["publicKeyJwk"][k] for k in ("kty", "crv", "x", "y")}
    not_valid = ActivationCodeInvalid(
        "This activation code is not valid. Start again from 'Add sign-in method' to get a new one.",
    )
    code = app_kind.normalize_activation_code(data["activationCode"])
    if code is None:
        raise not_valid
    index_key = app_kind.activation_index_key(deps.hasher, code)
    hit = next((i for i in Item.gsi1.query(index_key, limit=1) if isinstance(i, RegistrationItem)), None)
    if hit is None:
        raise not_valid
    # The index is eventually consistent: trust only a consistent read of the registration itself.
    try:
        reg = RegistrationItem.get(hit.pk, hit.sk, consistent_read=True)
    except RegistrationItem.DoesNotExist:
        raise not_valid from None
    if reg.gsi1pk != index_key or reg.method_type != app_kind.AuthenticatorApp.type_name:
        raise not_valid
    now = deps.clock.now()
    if reg.expires_at <= now:
        raise ActivationCodeExpired(
            "This activation code expired. Start again from 'Add sign-in method' to get a new one.",
        )
    user_id = reg.pk.removeprefix("USER#")
    if reg.secret_ciphertext is None:
        raise not_valid
    # Decrypt before binding: if KMS fails, nothing is half-activated.
    secret = deps.secrets.open(reg.secret_ciphertext, secret_context(user_id, reg.method_id)).decode()
    device_id = random_id("d")
    endpoint = deps.push.register(data["pushToken"], device_id) if data.get("pushToken") else None
    device = AppDeviceItem(
        app_device_pk(device_id),
        APP_DEVICE_SK,
        user_id=user_id,
        method_id=reg.method_id,
        device_name=data["deviceName"],
        public_key_jwk=json.dumps(jwk, sort_keys=True),
        push_endpoint_arn=endpoint,
        created_at=now,
        # Cleared when the registration completes; an abandoned activation cleans itself up.
        ttl=int(reg.expires_at + 86400),
    )
    test = app_kind.push_request(
        user_id,
        reg.method_id,
        app_kind.REGISTRATION_PURPOSE,
        now,
        app=deps.totp_issuer,
        location=reg.created_ip,
        not_after=reg.expires_at,
    )
    info = map_data(reg.data)
    info.update({"deviceId": device_id, "testVerificationId": test.verification_id})
    try:
        with TransactWrite(connection=connection) as tw:
            # Single use: the index key goes with the activation, conditionally.
            tw.update(
                reg,
                actions=[
                    RegistrationItem.gsi1pk.remove(),
                    RegistrationItem.gsi1sk.remove(),
                    RegistrationItem.data.set(info),
                ],
                condition=(RegistrationItem.gsi1pk == index_key) & (RegistrationItem.expires_at > now),
            )
            tw.save(device, condition=AppDeviceItem.pk.does_not_exist())
            tw.save(test, condition=VerificationItem.pk.does_not_exist())
    except TransactWriteError:
        if endpoint:
            deps.push.forget(endpoint)
        raise not_valid from None
    caller = Caller(
        user_id=user_id,
        source_ip=request.source_ip,
        user_agent=request.user_agent,
        correlation_id=request.correlation_id,
    )
    ctx = MethodContext(deps, caller, current_policy(), now)
    app_kind.send_push(ctx, endpoint, test, device_id)
    return {
        "deviceId": device_id,
        "accountName": str(info.get("accountName") or user_id),
        "issuer": deps.totp_issuer,
        "totp": {"secret": secret, "period": totp.PERIOD, "digits": totp.DIGITS, "algorithm": "SHA1"},
    }


# -- pending requests and decisions -------------------------------------------------------------


def _undecided(v: VerificationItem, now: float) -> bool:
    return v.status == "pending" and v.approved_at is None and v.expires_at > now


def pending(deps: Deps, request: SignedRequest, device_id: str) -> dict[str, Any]:
    """The requests waiting for this device's answer (for apps that poll, or after a push)."""
    device = authenticate(deps, request, device_id)
    now = deps.clock.now()
    found = VerificationItem.query(
        user_pk(device.user_id),
        VerificationItem.sk.startswith(verification_sk(f"{device.method_id}.")),
        consistent_read=True,
    )
    requests = []
    for item in found:
        if not isinstance(item, VerificationItem) or not _undecided(item, now):
            continue
        data = map_data(item.data)
        entry: dict[str, Any] = {
            "verificationId": item.verification_id,
            "app": str(data.get("app") or deps.totp_issuer),
            "purpose": item.purpose,
            "expiresAt": iso(item.expires_at),
        }
        if data.get("location"):
            entry["location"] = str(data["location"])
        requests.append(entry)
    requests.sort(key=lambda r: r["expiresAt"])
    return {"requests": requests}


def decide(deps: Deps, request: SignedRequest, device_id: str, verification_id: str, body: Any) -> None:
    """approve (with the number shown at sign-in), deny, or deny and report fraud: 204. A wrong
    number denies the request and counts toward lockout (400 ``number_mismatch``)."""
    device = authenticate(deps, request, device_id)
    data = validate(body, DECISION_SCHEMA)
    method_id, dot, rest = verification_id.partition(".")
    unknown = NotFound("No such request for this device.")
    if method_id != device.method_id or not dot or not rest or len(verification_id) > 100:
        raise unknown
    try:
        verification = VerificationItem.get(
            user_pk(device.user_id), verification_sk(verification_id), consistent_read=True
        )
    except VerificationItem.DoesNotExist:
        raise unknown from None
    now = deps.clock.now()
    if (
        verification.status == "pending"
        and verification.approved_at is None
        and verification.expires_at <= now
    ):
        raise RequestExpired("This request expired. Sign in again to get a new one.")
    if not _undecided(verification, now):
        raise AlreadyAnswered("This request was already answered.")
    decision = data["decision"]
    caller = _device_caller(device, request)
    undecided = (
        (VerificationItem.status == "pending")
        & VerificationItem.approved_at.does_not_exist()
        & (VerificationItem.expires_at > now)
    )
    info = map_data(verification.data)
    if decision == "approve":
        if "numberEntered" not in data:
            raise MissingField("Enter the number shown on the sign-in screen.", field="numberEntered")
        # A locked user gets nothing approved: the device is told so (423) and the request stays
        # undecided, so it can still be denied or reported.
        attempts.ensure_may_verify(device.user_id, now)
        policy = current_policy()
        if not equal(data["numberEntered"].strip(), app_kind.number_of(verification)):
            _deny(verification, info, "number_mismatch", undecided)
            _number_mismatch(deps, caller, verification, policy)
            raise NumberMismatch(_mismatch_words(verification), field="numberEntered")
        tw = store.Transaction(connection=deps.connection)
        try:
            with tw:
                tw.update(
                    verification,
                    actions=[
                        VerificationItem.approved_at.set(now),
                        VerificationItem.expires_at.set(now + app_kind.COLLECT_SECONDS),
                    ],
                    condition=undecided,
                    refusal=AlreadyAnswered("This request was already answered."),
                )
                # A lock that landed since the check above still wins.
                attempts.still_unlocked(tw, device.user_id, now, policy)
        except TransactWriteError as error:
            tw.refuse(error)
        return
    _deny(verification, info, decision, undecided)
    if decision == "fraud":
        extra: dict[str, Any] = {"verificationId": verification.verification_id}
        if verification.purpose in PURPOSES:
            extra["purpose"] = verification.purpose
        # The denial is already written (conditionally, once): the report is its own write.
        outbox.record(
            deps,
            "FraudReported",
            events.detail(
                caller,
                now,
                method_type=verification.method_type,
                method_id=verification.method_id,
                **extra,
            ),
        )


def _mismatch_words(verification: VerificationItem) -> Text:
    # The phone says what happens next where it happens: a test notification is replaced by a new
    # one on its own (the page asks for it), a sign-in request is not.
    if verification.purpose == app_kind.REGISTRATION_PURPOSE:
        return t(
            "That number does not match the one on your screen, so this notification was denied. "
            "A new notification with a new number is on its way: enter the number your screen shows now."
        )
    return t(
        "That number does not match the one on the sign-in screen, so the request was denied. "
        "Start the sign-in again to get a new request."
    )


def _deny(verification: VerificationItem, info: dict[str, Any], reason: str, undecided: Any) -> None:
    try:
        verification.update(
            actions=[
                VerificationItem.status.set("denied"),
                VerificationItem.data.set({**info, "deniedReason": reason}),
            ],
            condition=undecided,
        )
    except UpdateError:
        raise AlreadyAnswered("This request was already answered.") from None


def _number_mismatch(deps: Deps, caller: Caller, verification: VerificationItem, policy: Policy) -> None:
    """A wrong number is a failed verification: an event (for sign-in purposes) and lockout."""
    purpose = verification.purpose if verification.purpose in PURPOSES else None
    try:
        attempts.wrong_answer(
            deps,
            caller,
            policy,
            method_type=verification.method_type,
            method_id=verification.method_id,
            purpose=purpose,
            reason="number_mismatch",
        )
    except Locked:
        pass  # the user is locked now; the device only needs to know the request was denied
