"""``hardwareOath``: a hardware OATH (TOTP) token an administrator uploaded, claimed by the user.

The user names the token by its serial number and proves it with the code it shows now. Beginning
the registration copies the token's secret into the registration, sealed again under the user and
method (as every authenticator secret is), so verifying later is the TOTP apps' check with the
token's own digits, period and hash; the claim itself is a conditional update of the token in the
transaction that saves the method: of two users racing for one token, one wins, the other gets the
404 an unknown serial gets. Removing the method frees the token (``available`` again, unassigned:
it may be handed to someone else).
"""

from __future__ import annotations

from typing import Any

from pynamodb.expressions.condition import Condition

from securityinfo.kernel.crypto import secret_context, token_secret_context
from securityinfo.kernel.errors import NotFound
from securityinfo.kernel.i18n import t
from securityinfo.kernel.validation import DISPLAY_NAME, Field
from securityinfo.methods import totp
from securityinfo.methods.base import MFA, SSPR, Claim, MethodContext, MethodKind, Proof, Registered
from securityinfo.methods.software_oath import code_proof, code_step
from securityinfo.storage.models import (
    HARDWARE_TOKEN_SK,
    TOKEN_ACTIVATED,
    TOKEN_ASSIGNED,
    TOKEN_AVAILABLE,
    HardwareOathMethodItem,
    HardwareTokenItem,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    VerificationItem,
    hardware_token_pk,
    map_data,
)

# Printed on the token; also a key and a path segment, so no separators.
SERIAL_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
SERIAL = Field(
    str,
    required=True,
    pattern=SERIAL_PATTERN,
    hint="Enter the serial number printed on the token (letters, digits, '.', '_' or '-').",
)
TOKEN_CODE = Field(
    str, required=True, pattern=r"\d{6}|\d{8}", hint="Enter the 6- or 8-digit code your token shows now."
)
NO_SUCH_TOKEN = (
    "No token with that serial number is available to you. Check the number on the token, "  # noqa: S105
    "or ask your administrator."
)
WRONG_CODE = t("That code is not right. Press the token's button and enter the code it shows now.")
USED_CODE = t("That code was already used. Wait for the token's next code.")


def read_token(serial_number: str) -> HardwareTokenItem | None:
    try:
        return HardwareTokenItem.get(
            hardware_token_pk(serial_number), HARDWARE_TOKEN_SK, consistent_read=True
        )
    except HardwareTokenItem.DoesNotExist:
        return None


def token_ref(serial_number: str) -> HardwareTokenItem:
    return HardwareTokenItem(hardware_token_pk(serial_number), HARDWARE_TOKEN_SK)


def claimable_by(token: HardwareTokenItem | None, user_id: str) -> bool:
    """Free for anyone, or assigned to this user and not activated yet."""
    if token is None:
        return False
    return token.status == TOKEN_AVAILABLE or (
        token.status == TOKEN_ASSIGNED and token.assigned_to == user_id
    )


def claimable_condition(user_id: str, uploaded_at: float) -> Condition:
    """claimable_by, as the claim's write condition; the same upload (not one deleted and uploaded
    again with another secret since the registration began)."""
    free = HardwareTokenItem.status == TOKEN_AVAILABLE
    mine = (HardwareTokenItem.status == TOKEN_ASSIGNED) & (HardwareTokenItem.assigned_to == user_id)
    condition: Condition = (free | mine) & (HardwareTokenItem.uploaded_at == uploaded_at)
    return condition


def params_of(method: HardwareOathMethodItem) -> totp.Params:
    return totp.Params(int(method.digits), int(method.period_seconds), method.hash_function)


class HardwareOath(MethodKind):
    type_name = "hardwareOath"
    usable_for = (MFA, SSPR)
    # Counted with the authenticator apps (SPEC §16): one limit of 5 TOTP generators.
    limit_group = "oath"
    limit = 5
    limit_counters = {"oath": ProfileItem.oath_count}
    words = "hardware token"
    label = "Hardware OATH token"
    registration_schema = {"serialNumber": SERIAL, "displayName": DISPLAY_NAME}
    completion_schema = {"code": TOKEN_CODE}
    verification_schema = {"code": TOKEN_CODE}
    default_display_name = "Hardware token"

    def strength(self, method: MethodItem) -> int:
        return 30  # TOTP, like the other authenticator apps' codes (SPEC §2); ties: the oldest

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        serial = str(data["serialNumber"])
        token = read_token(serial)
        # Unknown, another user's, or activated already: one answer (no enumeration).
        if token is None or not claimable_by(token, ctx.caller.user_id):
            raise NotFound(NO_SUCH_TOKEN)
        secret = ctx.deps.secrets.open(token.secret_ciphertext, token_secret_context(serial))
        reg.secret_ciphertext = ctx.deps.secrets.seal(
            secret, secret_context(ctx.caller.user_id, reg.method_id)
        )
        reg.data = {
            "serialNumber": serial,
            "manufacturer": token.manufacturer,
            "model": token.model,
            "digits": int(token.digits),
            "periodSeconds": int(token.period_seconds),
            "hashFunction": token.hash_function,
            "uploadedAt": token.uploaded_at,
        }
        if "displayName" not in data:
            reg.display_name = f"{token.manufacturer} {token.model}".strip()[:64] or self.default_display_name
        return {"serialNumber": serial}

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        return {"serialNumber": str(map_data(reg.data).get("serialNumber", ""))}

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        token = map_data(reg.data)
        method = HardwareOathMethodItem(
            secret_ciphertext=reg.secret_ciphertext,
            last_step=0,
            serial_number=str(token["serialNumber"]),
            manufacturer=str(token["manufacturer"]),
            model=str(token["model"]),
            digits=int(token["digits"]),
            period_seconds=int(token["periodSeconds"]),
            hash_function=str(token["hashFunction"]),
        )
        # The code that proved the claim must not also pass the next sign-in.
        method.last_step = code_step(
            ctx, reg.secret_ciphertext, reg.method_id, str(data["code"]), params_of(method), WRONG_CODE
        )
        user_id = ctx.caller.user_id
        claim = Claim(
            token_ref(method.serial_number),
            actions=[
                HardwareTokenItem.status.set(TOKEN_ACTIVATED),
                HardwareTokenItem.assigned_to.set(user_id),
                HardwareTokenItem.method_id.set(reg.method_id),
                HardwareTokenItem.activated_at.set(ctx.now),
            ],
            condition=claimable_condition(user_id, float(token["uploadedAt"])),
            # Another user won the race, an administrator assigned or deleted it meanwhile.
            refusal=NotFound(NO_SUCH_TOKEN),
        )
        return Registered(method=method, claims=[claim])

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        token = _token_method(method)
        return code_proof(ctx, token, str(data["code"]), params_of(token), WRONG_CODE, USED_CODE)

    def describe(self, method: MethodItem) -> dict[str, Any]:
        if not isinstance(method, HardwareOathMethodItem):
            return {}
        return {
            "serialNumber": method.serial_number,
            "manufacturer": method.manufacturer,
            "model": method.model,
        }

    def released(self, method: MethodItem) -> list[Claim]:
        token = _token_method(method)
        return [
            Claim(
                token_ref(token.serial_number),
                actions=[
                    HardwareTokenItem.status.set(TOKEN_AVAILABLE),
                    HardwareTokenItem.assigned_to.remove(),
                    HardwareTokenItem.method_id.remove(),
                    HardwareTokenItem.activated_at.remove(),
                ],
                # Still this method's token (an administrator's delete takes token and method at once).
                condition=HardwareTokenItem.method_id == token.method_id,
            )
        ]


def _token_method(method: MethodItem) -> HardwareOathMethodItem:
    if not isinstance(method, HardwareOathMethodItem):
        raise TypeError("not a hardwareOath method")
    return method
