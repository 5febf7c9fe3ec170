"""What phone and email share: a one-time code sent by text, call or email (docs/RULES.md).

Registration and verification each keep only the keyed hash of the code they sent (bound to their
own id) and when it went out. A correct code approves once: the registration is deleted, or the
verification leaves ``pending``, in the same transaction. Tries, lockout and expiry are counted by
the registration and verification services, as for every type.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from securityinfo.kernel.errors import InvalidCode
from securityinfo.kernel.i18n import Text, t
from securityinfo.kernel.masking import mask
from securityinfo.methods import onetime
from securityinfo.methods.base import MethodContext, MethodKind, Proof, Registered
from securityinfo.storage.models import MethodItem, RegistrationItem, VerificationItem


class CodeKind(MethodKind):
    digits: ClassVar[int] = 6
    registration_seconds = onetime.CODE_SECONDS
    verification_seconds = onetime.CODE_SECONDS

    # --- what a type says ---------------------------------------------------------------------

    @abstractmethod
    def prepare_registration(self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]) -> None:
        """Check the input against the user's methods and keep it in ``reg.data``."""

    @abstractmethod
    def registration_target(self, reg: RegistrationItem) -> tuple[str, str]:
        """(channel, address) the registration's code goes to."""

    @abstractmethod
    def method_target(self, method: MethodItem) -> tuple[str, str]:
        """(channel, address) a verification's code goes to."""

    @abstractmethod
    def new_method(self, ctx: MethodContext, reg: RegistrationItem) -> Registered:
        """The method a proved registration creates (or, for a phone's new number, changes)."""

    # --- the interface --------------------------------------------------------------------------

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        self.prepare_registration(ctx, reg, data)
        channel, to = self.registration_target(reg)
        reg.code_hash = self.send_code(
            ctx,
            binding=reg.registration_id,
            channel=channel,
            to=to,
            meta={"methodId": reg.method_id, "registrationId": reg.registration_id},
        )
        reg.last_sent_at = ctx.now
        return {"sentTo": mask(channel, to), "channel": channel}

    def replay_registration(self, ctx: MethodContext, reg: RegistrationItem) -> dict[str, Any]:
        channel, to = self.registration_target(reg)
        return {"sentTo": mask(channel, to), "channel": channel}

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        if not onetime.matches(ctx.deps, reg.registration_id, str(data["code"]), reg.code_hash):
            raise InvalidCode(self.wrong_code_message())
        return self.new_method(ctx, reg)

    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        channel, to = self.method_target(method)
        verification.code_hash = self.send_code(
            ctx,
            binding=verification.verification_id,
            channel=channel,
            to=to,
            meta={
                "methodId": method.method_id,
                "purpose": verification.purpose,
                "verificationId": verification.verification_id,
            },
        )
        verification.last_sent_at = ctx.now
        return {"sentTo": mask(channel, to), "channel": channel}

    def challenge(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        channel, to = self.method_target(method)
        return {"sentTo": mask(channel, to), "channel": channel}

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        if not onetime.matches(
            ctx.deps, verification.verification_id, str(data["code"]), verification.code_hash
        ):
            raise InvalidCode(self.wrong_code_message())
        # Single use: the approval moves the verification out of "pending" under a condition.
        return Proof()

    def contact(self, method: MethodItem) -> tuple[str, str] | None:
        return self.method_target(method)

    # --- shared helpers -------------------------------------------------------------------------

    def send_code(
        self, ctx: MethodContext, *, binding: str, channel: str, to: str, meta: dict[str, str]
    ) -> str:
        """Queue the message and return the code's hash. The send is counted against the limits
        by the transaction that saves the registration or verification (onetime.save_counted)."""
        code = onetime.new_code(self.digits)
        full_meta = {
            "userId": ctx.caller.user_id,
            "methodType": self.type_name,
            "correlationId": ctx.caller.correlation_id,
            **meta,
        }
        ctx.outgoing.append(onetime.code_message(ctx.deps, channel, to, code, full_meta))
        return onetime.digest(ctx.deps, binding, code)

    def wrong_code_message(self) -> Text:
        return t(
            "That code is not right. Enter the {digits}-digit code we sent most recently.", digits=self.digits
        )
