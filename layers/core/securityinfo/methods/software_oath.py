"""``softwareOath``: any RFC 6238 authenticator app, by QR code or manual key."""

from __future__ import annotations

from typing import Any

from securityinfo.kernel.crypto import secret_context
from securityinfo.kernel.errors import InvalidCode, ReplayedCode
from securityinfo.kernel.i18n import Text, t
from securityinfo.kernel.qr import svg
from securityinfo.kernel.validation import DISPLAY_NAME, Field
from securityinfo.methods import totp
from securityinfo.methods.base import MFA, SSPR, MethodContext, MethodKind, Proof, Registered
from securityinfo.storage.models import (
    AuthenticatorAppMethodItem,
    HardwareOathMethodItem,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    SoftwareOathMethodItem,
    VerificationItem,
)

TOTP_CODE = Field(
    str, required=True, pattern=r"\d{6}", hint="Enter the 6-digit code from your authenticator app."
)
WRONG_CODE = t("That code is not right. Enter the current 6-digit code from your app.")
USED_CODE = t("That code was already used. Wait for the next code in your app.")


def seal_new_secret(ctx: MethodContext, reg: RegistrationItem) -> str:
    """A new TOTP secret for the registration, kept sealed on it (bound to the user and method)."""
    secret = totp.new_secret()
    reg.secret_ciphertext = ctx.deps.secrets.seal(
        secret.encode(), secret_context(ctx.caller.user_id, reg.method_id)
    )
    return secret


def open_secret(ctx: MethodContext, ciphertext: bytes | None, method_id: str) -> str:
    if ciphertext is None:
        raise TypeError("registration has no secret")
    return ctx.deps.secrets.open(ciphertext, secret_context(ctx.caller.user_id, method_id)).decode()


def code_step(
    ctx: MethodContext,
    ciphertext: bytes | None,
    method_id: str,
    code: str,
    params: totp.Params = totp.APP,
    wrong: Text = WRONG_CODE,
) -> int:
    """The time step whose code ``code`` is, under the sealed secret; InvalidCode when none."""
    step = totp.matching_step(open_secret(ctx, ciphertext, method_id), code, ctx.now, params)
    if step is None:
        raise InvalidCode(wrong)
    return step


def code_proof(
    ctx: MethodContext,
    method: SoftwareOathMethodItem | AuthenticatorAppMethodItem | HardwareOathMethodItem,
    code: str,
    params: totp.Params = totp.APP,
    wrong: Text = WRONG_CODE,
    used: Text = USED_CODE,
) -> Proof:
    """A code from the TOTP secret proves a verification once: its step must be newer than the
    last one used, which the approval moves forward atomically (any TOTP type: apps and tokens)."""
    step = code_step(ctx, method.secret_ciphertext, method.method_id, code, params, wrong)
    if step <= method.last_step:
        raise ReplayedCode(used)
    model = type(method)
    return Proof(
        actions=[model.last_step.set(step)],
        # Replay guard against a concurrent request with the same code.
        condition=model.last_step < step,
    )


class SoftwareOath(MethodKind):
    type_name = "softwareOath"
    usable_for = (MFA, SSPR)
    limit_group = "oath"
    limit = 5
    limit_counters = {"oath": ProfileItem.oath_count}
    words = "authenticator app"
    label = "Other authenticator app (TOTP)"
    # Any TOTP app stands in for a required authenticator app.
    satisfies = ("authenticatorApp",)
    registration_schema = {"displayName": DISPLAY_NAME}
    completion_schema = {"code": TOTP_CODE}
    verification_schema = {"code": TOTP_CODE}
    default_display_name = "Authenticator app"

    def strength(self, method: MethodItem) -> int:
        return 30

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        return self._setup(ctx, seal_new_secret(ctx, reg))

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        """The same answer again for a repeated request (idempotency): decrypt, never store it."""
        return self._setup(ctx, open_secret(ctx, reg.secret_ciphertext, reg.method_id))

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        step = code_step(ctx, reg.secret_ciphertext, reg.method_id, _code(data))
        method = SoftwareOathMethodItem(
            secret_ciphertext=reg.secret_ciphertext,
            # The code that proved the registration must not also pass the next sign-in.
            last_step=step,
        )
        return Registered(method=method)

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        if not isinstance(method, SoftwareOathMethodItem):
            raise TypeError("not a softwareOath method")
        return code_proof(ctx, method, _code(data))

    def describe(self, method: MethodItem) -> dict[str, Any]:
        return {}

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
