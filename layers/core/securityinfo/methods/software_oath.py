"""``softwareOath``: any RFC 6238 authenticator app, by QR code or manual key."""

from __future__ import annotations

from typing import Any

from ..crypto import secret_context
from ..errors import InvalidCode, ReplayedCode
from ..models import MethodItem, RegistrationItem, SoftwareOathMethodItem, VerificationItem
from ..qr import svg
from ..validation import DISPLAY_NAME, Field
from . import totp
from .base import MFA, SSPR, MethodContext, MethodKind, Proof, Registered

TOTP_CODE = Field(
    str, required=True, pattern=r"\d{6}", hint="Enter the 6-digit code from your authenticator app."
)


class SoftwareOath(MethodKind):
    type_name = "softwareOath"
    usable_for = (MFA, SSPR)
    limit_group = "oath"
    limit = 5
    registration_schema = {"displayName": DISPLAY_NAME}
    completion_schema = {"code": TOTP_CODE}
    verification_schema = {"code": TOTP_CODE}
    default_display_name = "Authenticator app"

    def strength(self, method: MethodItem) -> int:
        return 30

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        secret = totp.new_secret()
        reg.secret_ciphertext = ctx.deps.secrets.seal(
            secret.encode(), secret_context(ctx.caller.user_id, reg.method_id)
        )
        return self._setup(ctx, secret)

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        """The same answer again for a repeated request (idempotency): decrypt, never store it."""
        return self._setup(ctx, self._secret(ctx, reg.secret_ciphertext, reg.method_id))

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        code = _code(data)
        step = totp.matching_step(self._secret(ctx, reg.secret_ciphertext, reg.method_id), code, ctx.now)
        if step is None:
            raise InvalidCode("That code is not right. Enter the current 6-digit code from your app.")
        method = SoftwareOathMethodItem(
            secret_ciphertext=reg.secret_ciphertext,
            # The code that proved the registration must not also pass the next sign-in.
            last_step=step,
        )
        return Registered(method=method)

    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        return {}

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        if not isinstance(method, SoftwareOathMethodItem):
            raise TypeError("not a softwareOath method")
        code = _code(data)
        step = totp.matching_step(
            self._secret(ctx, method.secret_ciphertext, method.method_id), code, ctx.now
        )
        if step is None:
            raise InvalidCode("That code is not right. Enter the current 6-digit code from your app.")
        if step <= method.last_step:
            raise ReplayedCode("That code was already used. Wait for the next code in your app.")
        return Proof(
            actions=[SoftwareOathMethodItem.last_step.set(step)],
            # Replay guard against a concurrent request with the same code.
            condition=SoftwareOathMethodItem.last_step < step,
        )

    def describe(self, method: MethodItem) -> dict[str, Any]:
        return {}

    def _secret(self, ctx: MethodContext, ciphertext: bytes | None, method_id: str) -> str:
        if ciphertext is None:
            raise TypeError("registration has no secret")
        return ctx.deps.secrets.open(ciphertext, secret_context(ctx.caller.user_id, method_id)).decode()

    def _setup(self, ctx: MethodContext, secret: str) -> dict[str, Any]:
        account = ctx.caller.username or ctx.caller.user_id
        uri = totp.otpauth_uri(secret, ctx.deps.totp_issuer, account)
        return {
            "secret": secret,
            "otpauthUri": uri,
            "qrSvg": svg(uri),
            "accountName": account,
            "issuer": ctx.deps.totp_issuer,
            "totp": {"period": totp.PERIOD, "digits": totp.DIGITS, "algorithm": "SHA1"},
        }


def _code(data: dict[str, Any]) -> str:
    return str(data["code"])
