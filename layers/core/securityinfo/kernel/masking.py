"""Masked phone numbers and email addresses: the only form in which they appear in an answer, an
event or a log line (``+1 ••••••••12``, ``a•••@contoso.com``)."""

from __future__ import annotations

import re

from securityinfo.kernel.i18n import Text, t

BULLET = "\u2022"

E164 = re.compile(r"\+[1-9][0-9]{7,14}")
# ITU-T E.164 country calling codes of one and two digits; every other code has three.
_ONE_DIGIT = {"1", "7"}
_TWO_DIGITS = {
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
    "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
    "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
}  # fmt: skip
# Three-digit prefixes no country has (spare or reserved codes).
_UNASSIGNED = {
    "210", "214", "215", "217", "219", "259", "292", "293", "294", "295", "296", "384", "422",
    "424", "425", "426", "427", "428", "429", "671", "684", "693", "694", "695", "696", "697",
    "698", "699", "801", "802", "803", "804", "805", "806", "807", "809", "830", "831", "832",
    "833", "834", "835", "836", "837", "838", "839", "851", "854", "857", "858", "859", "871",
    "872", "873", "874", "875", "876", "877", "878", "879", "884", "885", "887", "889", "890",
    "891", "892", "893", "894", "895", "896", "897", "898", "899", "969", "978", "990", "997",
    "999",
}  # fmt: skip
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")


def country_code(number: str) -> str:
    """The country calling code of an E.164 number (without the +)."""
    digits = number.lstrip("+")
    if digits[:1] in _ONE_DIGIT:
        return digits[:1]
    if digits[:2] in _TWO_DIGITS:
        return digits[:2]
    return digits[:3]


def phone_problem(number: str) -> Text | None:
    """Why ``number`` is not a usable E.164 number, or None. (The pages send what the user typed,
    "+1 (425) 555-0177", as E.164; the message shows the number as people write it.)"""
    if not E164.fullmatch(number):
        return t("Include the country code, like +1 425 555 0177 (sent without spaces: +14255550177).")
    code = country_code(number)
    if code in _UNASSIGNED:
        return t("+{code} is not a country code. Check the number.", code=code)
    if len(number) - 1 - len(code) < 6:
        return t("That number is too short. Enter the full number with its country code.")
    return None


def email_problem(address: str) -> Text | None:
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        return t("Enter a valid email address, e.g. megan@contoso.com.")
    return None


def normalize_email(address: str) -> str:
    """Domains are case-insensitive; the local part is kept as typed (some servers honour case)."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def mask_phone(number: str) -> str:
    """``+1 ••••••••12``: the country code and the last two digits."""
    digits = number.lstrip("+")
    code = country_code(number)
    national = digits[len(code) :]
    return f"+{code} {BULLET * max(4, len(national) - 2)}{national[-2:]}"


def mask_email(address: str) -> str:
    """``a•••@contoso.com``: the first character and the domain."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}{BULLET * 3}@{domain}"


def mask(channel: str, address: str) -> str:
    return mask_email(address) if channel == "email" else mask_phone(address)


# A run of digits that could be a phone number inside free text (a method's name), with or without
# its + and separators: "+1 425 555 0100", "4255550100".
_NUMBER_IN_TEXT = re.compile(r"\+?[0-9][0-9 ().-]{5,}[0-9]")
_EMAIL_IN_TEXT = re.compile(r"[^\s@]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")


def mask_text(text: str) -> str:
    """Free text a user chose (a method's name) with any phone number or address in it masked, for
    places that show it beside where it came from (Recent activity): a user who named a phone by its
    number must not see it there in full."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)

    def number(match: re.Match[str]) -> str:
        digits = re.sub(r"[^0-9]", "", match.group(0))
        if len(digits) < 7:
            return match.group(0)  # a year, a short model number: not a phone number
        return f"{BULLET * 4}{digits[-2:]}"

    return _NUMBER_IN_TEXT.sub(number, text)
