"""``authenticatorApp``: the authenticator app on a phone. Push approval with number matching (the
device signs its answer, see ``devices.py``) and TOTP codes from the same app.

Registration: the page shows an activation code and QR; the app activates (``POST /devices/activate``)
with its public key and push token and gets its TOTP settings; the server pushes a test request; the
registration completes once the device approved it with the right number.
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar
from urllib.parse import quote

from pynamodb.exceptions import UpdateError

from securityinfo.kernel.clock import iso
from securityinfo.kernel.context import Deps
from securityinfo.kernel.crypto import KeyedHasher, random_id
from securityinfo.kernel.logs import logger
from securityinfo.kernel.push import PushFailed
from securityinfo.kernel.qr import svg
from securityinfo.kernel.validation import DISPLAY_NAME, Field, Schema
from securityinfo.methods.base import MFA, SSPR, MethodContext, MethodKind, Pending, Proof, Registered
from securityinfo.methods.software_oath import TOTP_CODE, code_proof, seal_new_secret
from securityinfo.storage import outbox
from securityinfo.storage.models import (
    APP_DEVICE_SK,
    AppDeviceItem,
    AuthenticatorAppMethodItem,
    Item,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    VerificationItem,
    app_device_pk,
    map_data,
    user_pk,
    verification_sk,
)

PUSH_SECONDS = 60
# Once the device approved, the sign-in page has this long to collect the approval.
COLLECT_SECONDS = 120
REGISTRATION_PURPOSE = "registration"  # the test notification of a registration
ACTIVATION_INDEX = "ACTIVATION#"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ACTIVATION_CODE_LENGTH = 16  # 80 bits


def activation_code(ctx: MethodContext, registration_id: str) -> str:
    """The registration's activation code: derived under the service's hash key, so it is never stored
    and a repeated request (idempotency) shows the same code."""
    value = int(ctx.deps.hasher.digest(registration_id, "activation-code")[:20], 16)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in range(ACTIVATION_CODE_LENGTH))


def normalize_activation_code(text: str) -> str | None:
    """Case, spaces and dashes do not matter; O/I/L read as 0/1 (Crockford base32)."""
    cleaned = text.upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != ACTIVATION_CODE_LENGTH or any(c not in _CROCKFORD for c in cleaned):
        return None
    return cleaned


def activation_index_key(hasher: KeyedHasher, code: str) -> str:
    """The global index key of an activation code: a keyed hash, so the table never holds the code."""
    return ACTIVATION_INDEX + hasher.digest(code, "activation")


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_number() -> str:
    """The two-digit number to match, "10" to "99", from a CSPRNG."""
    return str(10 + secrets.randbelow(90))


def push_request(
    user_id: str,
    method_id: str,
    purpose: str,
    now: float,
    *,
    app: str,
    location: str | None,
    not_after: float | None = None,
) -> VerificationItem:
    """A request the device answers (sign-in, step-up, reset, or a registration's test)."""
    expires = now + PUSH_SECONDS if not_after is None else min(now + PUSH_SECONDS, not_after)
    vid = f"{method_id}.{random_id('v')}"
    data: dict[str, Any] = {"numberToMatch": new_number(), "app": app}
    if location:
        data["location"] = location
    return VerificationItem(
        user_pk(user_id),
        verification_sk(vid),
        verification_id=vid,
        method_id=method_id,
        method_type=AuthenticatorApp.type_name,
        purpose=purpose,
        status="pending",
        created_at=now,
        expires_at=expires,
        attempts_left=1,
        data=data,
        ttl=int(expires + COLLECT_SECONDS + 86400),
    )


def send_push(
    ctx: MethodContext, endpoint_arn: str | None, request: VerificationItem, device_id: str
) -> bool:
    """Wake the app up. A failed push is reported (event) but the request stands: the app polls."""
    if not endpoint_arn:
        return False
    try:
        ctx.deps.push.send(
            endpoint_arn,
            {"type": "approvalRequest", "deviceId": device_id, "verificationId": request.verification_id},
        )
    except PushFailed as failed:
        logger.warning("push_not_delivered", extra={"errorType": failed.error_type})
        from securityinfo.kernel import events

        extra: dict[str, Any] = {"channel": "push", "verificationId": request.verification_id}
        if request.purpose != REGISTRATION_PURPOSE:
            extra["purpose"] = request.purpose
        outbox.record(
            ctx.deps,
            "CodeDeliveryFailed",
            events.detail(
                ctx.caller,
                ctx.now,
                method_type=request.method_type,
                method_id=request.method_id,
                errorType=failed.error_type,
                **extra,
            ),
        )
        return False
    return True


def number_of(request: VerificationItem) -> str:
    return str(map_data(request.data).get("numberToMatch", ""))


class AuthenticatorApp(MethodKind):
    type_name = "authenticatorApp"
    usable_for = (MFA, SSPR)
    limit_group = "oath"
    limit = 5
    limit_counters = {"oath": ProfileItem.oath_count}
    words = "authenticator app"
    label = "Authenticator app (push and codes)"
    registration_schema = {"displayName": DISPLAY_NAME}
    completion_schema: ClassVar[Schema] = {}
    verification_schema = {"code": Field(str, pattern=TOTP_CODE.pattern, hint=TOTP_CODE.hint)}
    default_display_name = "Authenticator app"
    verification_seconds = PUSH_SECONDS
    sends_push = True

    def strength(self, method: MethodItem) -> int:
        return 20

    # -- registration ---------------------------------------------------------------------------

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        seal_new_secret(ctx, reg)
        code = activation_code(ctx, reg.registration_id)
        reg.gsi1pk = activation_index_key(ctx.deps.hasher, code)
        reg.gsi1sk = "ACTIVATION"
        reg.data = {"accountName": ctx.caller.username or ctx.caller.user_id}
        return self._setup(ctx, code)

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        return self._setup(ctx, activation_code(ctx, reg.registration_id))

    def _setup(self, ctx: MethodContext, code: str) -> dict[str, Any]:
        base = (ctx.caller.base_url or "").rstrip("/")
        url = f"{base}/devices/activate"
        # The QR carries both: the app posts the code to the URL.
        qr_content = f"{url}?code={quote(code)}"
        return {
            "activationCode": display_code(code),
            "activationUrl": url,
            "qrContent": qr_content,
            "qrSvg": svg(qr_content),
            "issuer": ctx.deps.totp_issuer,
            "pushSeconds": PUSH_SECONDS,
        }

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        info = map_data(reg.data)
        if "deviceId" not in info:
            raise Pending({"waitingFor": "activation"})
        test = _test_of(reg, info)
        if test is not None and test.status == "pending" and test.approved_at is not None:
            return Registered(method=self._method_for(reg, info))
        if test is not None and test.status == "pending" and test.expires_at > ctx.now:
            raise Pending(
                {
                    "waitingFor": "approval",
                    "numberToMatch": number_of(test),
                    "expiresAt": iso(test.expires_at),
                }
            )
        # Denied (or a wrong number) or not answered in time: send a new test notification.
        previous = _outcome(test, ctx.now) if test is not None else "expired"
        fresh = self._new_test(ctx, reg, info)
        raise Pending(
            {
                "waitingFor": "approval",
                "numberToMatch": number_of(fresh),
                "expiresAt": iso(fresh.expires_at),
                "previous": previous,
            }
        )

    def registration_progress(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        info = map_data(reg.data)
        if "deviceId" not in info:
            return {"testResult": "notActivated"}
        test = _test_of(reg, info)
        return {"testResult": _outcome(test, ctx.now) if test is not None else "expired"}

    def _new_test(self, ctx: MethodContext, reg: RegistrationItem, info: dict[str, Any]) -> VerificationItem:
        fresh = push_request(
            ctx.caller.user_id,
            reg.method_id,
            REGISTRATION_PURPOSE,
            ctx.now,
            app=ctx.deps.totp_issuer,
            location=reg.created_ip,
            not_after=reg.expires_at,
        )
        try:
            # Two polls at once must not both start a test: the one that swaps the id wins.
            reg.update(
                actions=[RegistrationItem.data.set({**info, "testVerificationId": fresh.verification_id})],
                condition=RegistrationItem.data["testVerificationId"] == info["testVerificationId"],
            )
        except UpdateError:
            raise Pending({"waitingFor": "approval"}) from None
        fresh.save()
        device = self._device(str(info["deviceId"]))
        if device is not None:
            send_push(ctx, device.push_endpoint_arn, fresh, str(info["deviceId"]))
        return fresh

    @staticmethod
    def _device(device_id: str) -> AppDeviceItem | None:
        try:
            return AppDeviceItem.get(app_device_pk(device_id), APP_DEVICE_SK, consistent_read=True)
        except AppDeviceItem.DoesNotExist:
            return None

    def _method_for(self, reg: RegistrationItem, info: dict[str, Any]) -> AuthenticatorAppMethodItem:
        device_id = str(info["deviceId"])
        device = self._device(device_id)
        if device is None:
            raise Pending({"waitingFor": "activation"})
        if device.ttl is not None:
            # The device record outlives its registration only once the method exists.
            device.update(actions=[AppDeviceItem.ttl.remove()])
        if reg.secret_ciphertext is None:
            raise TypeError("registration has no secret")
        return AuthenticatorAppMethodItem(
            secret_ciphertext=reg.secret_ciphertext,
            last_step=0,
            device_id=device_id,
            device_name=device.device_name,
            public_key_jwk=device.public_key_jwk,
            push_endpoint_arn=device.push_endpoint_arn,
        )

    # -- verification ---------------------------------------------------------------------------

    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        app = _app(method)
        number = new_number()
        data: dict[str, Any] = {"numberToMatch": number, "app": ctx.deps.totp_issuer}
        if ctx.caller.source_ip:
            data["location"] = ctx.caller.source_ip
        verification.data = data

        def push() -> None:
            send_push(ctx, app.push_endpoint_arn, verification, app.device_id)

        ctx.after_save.append(push)
        return {"numberToMatch": number}

    def challenge(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        return {"numberToMatch": number_of(verification)}

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        app = _app(method)
        if "code" not in data:
            if verification.approved_at is not None:
                return Proof()
            raise Pending({"numberToMatch": number_of(verification)})
        return code_proof(ctx, app, str(data["code"]))

    def describe(self, method: MethodItem) -> dict[str, Any]:
        return {"deviceName": method.device_name if isinstance(method, AuthenticatorAppMethodItem) else None}

    def linked_items(self, method: MethodItem) -> list[Item]:
        app = _app(method)
        return [AppDeviceItem(app_device_pk(app.device_id), APP_DEVICE_SK)]

    def after_removal(self, deps: Deps, method: MethodItem) -> None:
        # A removed app's SNS endpoint must go too: it would keep the device's push token and
        # could still be published to.
        app = _app(method)
        if app.push_endpoint_arn:
            deps.push.forget(app.push_endpoint_arn)


def _app(method: MethodItem) -> AuthenticatorAppMethodItem:
    if not isinstance(method, AuthenticatorAppMethodItem):
        raise TypeError("not an authenticatorApp method")
    return method


def _test_of(reg: RegistrationItem, info: dict[str, Any]) -> VerificationItem | None:
    try:
        return VerificationItem.get(
            reg.pk, verification_sk(str(info["testVerificationId"])), consistent_read=True
        )
    except VerificationItem.DoesNotExist:
        return None


def _outcome(test: VerificationItem, now: float) -> str:
    """approved, waiting, numberMismatch, denied or expired: what became of a test notification."""
    if test.status == "pending" and test.approved_at is not None:
        return "approved"
    if test.status == "pending" and test.expires_at > now:
        return "waiting"
    if test.status == "denied":
        reason = map_data(test.data).get("deniedReason")
        return "numberMismatch" if reason == "number_mismatch" else "denied"
    return "expired"
