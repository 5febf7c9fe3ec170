"""``phone``: a code by text message or phone call (docs/RULES.md).

Kinds ``mobile``, ``alternateMobile`` and ``office``, one of each; ``alternateMobile`` and
``office`` receive calls only, and an ``alternateMobile`` needs a ``mobile`` first. Numbers are
E.164 and shown masked everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from securityinfo.kernel.errors import (
    ChannelNotAllowed,
    MethodLimit,
    MobilePhoneRequired,
    PhoneNumberInUse,
)
from securityinfo.kernel.i18n import t
from securityinfo.kernel.masking import mask_phone, phone_problem
from securityinfo.kernel.validation import DISPLAY_NAME, Field
from securityinfo.methods.base import MFA, SSPR, MethodContext, Registered
from securityinfo.methods.coded import CodeKind
from securityinfo.storage import store
from securityinfo.storage.models import MethodItem, PhoneMethodItem, ProfileItem, RegistrationItem, map_data

PHONE_TYPES = ("mobile", "alternateMobile", "office")
CHANNELS = ("sms", "voice")
# What each kind can receive; the first is the default when the input names no channel.
ALLOWED_CHANNELS = {"mobile": ("sms", "voice"), "alternateMobile": ("voice",), "office": ("voice",)}
KIND_WORDS = {"mobile": "mobile phone", "alternateMobile": "alternate mobile phone", "office": "office phone"}
DEFAULT_NAMES = {
    "mobile": "Mobile phone",
    "alternateMobile": "Alternate mobile phone",
    "office": "Office phone",
}

PHONE_NUMBER = Field(str, required=True, min_len=1, max_len=32, check=phone_problem)
CODE = Field(str, required=True, pattern=r"\d{6}", hint="Enter the 6-digit code we sent you, digits only.")


class Phone(CodeKind):
    type_name = "phone"
    usable_for = (MFA, SSPR)
    limit_group = "phone:mobile"
    limit = 1
    limit_counters = {
        "phone:mobile": ProfileItem.phone_mobile_count,
        "phone:alternateMobile": ProfileItem.phone_alternate_mobile_count,
        "phone:office": ProfileItem.phone_office_count,
    }
    words = "phone"
    label = "Phone (text or call)"
    registration_schema = {
        "phoneType": Field(str, required=True, choices=PHONE_TYPES),
        "phoneNumber": PHONE_NUMBER,
        "channel": Field(str, choices=CHANNELS),
        "displayName": DISPLAY_NAME,
    }
    completion_schema = {"code": CODE}
    verification_schema = {"code": CODE}
    default_display_name = "Phone"
    digits = 6

    def strength(self, method: MethodItem) -> int:
        # docs/RULES.md: ... > TOTP (30) > voice > SMS.
        return 40 if isinstance(method, PhoneMethodItem) and method.channel == "voice" else 50

    def limit_group_of(self, fields: Mapping[str, Any]) -> str:
        phone_type = fields.get("phoneType")
        return f"phone:{phone_type}" if phone_type in PHONE_TYPES else self.limit_group

    def prepare_registration(self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]) -> None:
        phone_type = str(data["phoneType"])
        channel = str(data.get("channel") or ALLOWED_CHANNELS[phone_type][0])
        check_channel(phone_type, channel)
        number = str(data["phoneNumber"])
        _, methods = store.methods_and_profile(ctx.caller.user_id)
        phones = [m for m in methods if isinstance(m, PhoneMethodItem)]
        if any(p.phone_type == phone_type for p in phones):
            raise MethodLimit(_ALREADY[phone_type])
        if phone_type == "alternateMobile" and not any(p.phone_type == "mobile" for p in phones):
            raise MobilePhoneRequired(
                "Add a mobile phone first; an alternate mobile phone is a second number for calls.",
                field="phoneType",
            )
        check_number_unused(number, phones)
        reg.data = {"phoneType": phone_type, "phoneNumber": number, "channel": channel}
        if not data.get("displayName"):
            reg.display_name = DEFAULT_NAMES[phone_type]

    def registration_target(self, reg: RegistrationItem) -> tuple[str, str]:
        data = map_data(reg.data)
        return str(data["channel"]), str(data["phoneNumber"])

    def method_target(self, method: MethodItem) -> tuple[str, str]:
        if not isinstance(method, PhoneMethodItem):
            raise TypeError("not a phone method")
        return method.channel, method.phone_number

    def new_method(self, ctx: MethodContext, reg: RegistrationItem) -> Registered:
        data = map_data(reg.data)
        method = PhoneMethodItem(
            phone_number=str(data["phoneNumber"]),
            phone_type=str(data["phoneType"]),
            channel=str(data["channel"]),
        )
        if data.get("replaces"):
            if data.get("displayName"):
                method.display_name = str(data["displayName"])
            return Registered(method=method, replaces=True)
        return Registered(method=method)

    def contact(self, method: MethodItem) -> tuple[str, str] | None:
        # Notices: a text to mobiles (also when codes come by call), a call to an office line.
        if not isinstance(method, PhoneMethodItem):
            return None
        return ("voice" if method.phone_type == "office" else "sms"), method.phone_number

    def describe(self, method: MethodItem) -> dict[str, Any]:
        if not isinstance(method, PhoneMethodItem):
            return {}
        return {
            "phoneType": method.phone_type,
            "phoneNumber": mask_phone(method.phone_number),
            "channel": method.channel,
        }


def check_channel(phone_type: str, channel: str) -> None:
    if channel not in ALLOWED_CHANNELS[phone_type]:
        raise ChannelNotAllowed(
            t("{phone} can receive calls only; choose voice.", phone=_A_KIND[phone_type]),
            field="channel",
        )


def check_number_unused(number: str, phones: list[PhoneMethodItem]) -> None:
    if any(p.phone_number == number for p in phones):
        raise PhoneNumberInUse(
            "That number is already one of your phones. Enter a different number.",
        )


# Whole sentences per kind (the article and the word order differ by language).
_ALREADY = {
    "mobile": t("You already have a mobile phone. Change its number instead, or delete it first."),
    "alternateMobile": t(
        "You already have an alternate mobile phone. Change its number instead, or delete it first."
    ),
    "office": t("You already have an office phone. Change its number instead, or delete it first."),
}
_A_KIND = {
    "mobile": t("A mobile phone"),
    "alternateMobile": t("An alternate mobile phone"),
    "office": t("An office phone"),
}
