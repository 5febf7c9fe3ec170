"""``email``: an 8-digit code by email, for password reset only (docs/RULES.md)."""

from __future__ import annotations

from typing import Any

from securityinfo.kernel.errors import MethodLimit
from securityinfo.kernel.masking import email_problem, mask_email, normalize_email
from securityinfo.kernel.validation import DISPLAY_NAME, Field
from securityinfo.methods.base import SSPR, MethodContext, Registered
from securityinfo.methods.coded import CodeKind
from securityinfo.storage import store
from securityinfo.storage.models import EmailMethodItem, MethodItem, ProfileItem, RegistrationItem, map_data

CODE = Field(str, required=True, pattern=r"\d{8}", hint="Enter the 8-digit code from the email, digits only.")


class Email(CodeKind):
    type_name = "email"
    # An inbox is often reachable with the very password being protected: never a second factor.
    usable_for = (SSPR,)
    limit_group = "email"
    limit = 1
    limit_counters = {"email": ProfileItem.email_count}
    words = "email address"
    label = "Email"
    registration_schema = {
        "emailAddress": Field(str, required=True, min_len=3, max_len=254, check=email_problem),
        "displayName": DISPLAY_NAME,
    }
    completion_schema = {"code": CODE}
    verification_schema = {"code": CODE}
    default_display_name = "Email"
    digits = 8

    def strength(self, method: MethodItem) -> int:
        return 1000  # not MFA-capable; never a default

    def prepare_registration(self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]) -> None:
        address = normalize_email(str(data["emailAddress"]))
        _, methods = store.methods_and_profile(ctx.caller.user_id)
        if any(isinstance(m, EmailMethodItem) for m in methods):
            raise MethodLimit(
                "You already have an email address for password reset. Delete it first to use another one.",
            )
        reg.data = {"emailAddress": address}

    def registration_target(self, reg: RegistrationItem) -> tuple[str, str]:
        return "email", str(map_data(reg.data)["emailAddress"])

    def method_target(self, method: MethodItem) -> tuple[str, str]:
        if not isinstance(method, EmailMethodItem):
            raise TypeError("not an email method")
        return "email", method.email_address

    def new_method(self, ctx: MethodContext, reg: RegistrationItem) -> Registered:
        return Registered(method=EmailMethodItem(email_address=str(map_data(reg.data)["emailAddress"])))

    def describe(self, method: MethodItem) -> dict[str, Any]:
        if not isinstance(method, EmailMethodItem):
            return {}
        return {"emailAddress": mask_email(method.email_address)}
