"""English and Dutch through the local runtime: an error's message in the language of the request's
Accept-Language (English by default), its code the same in both; the change notices in the user's
own language, which the identity provider's locale claim gives and the profile keeps."""

from __future__ import annotations

import time
from typing import Any

from tests.support_api import Api
from tests.support_codes import (
    add_email,
    add_phone,
    delivered_to,
    new_address,
    new_number,
    outbox,
    step_up_by_phone,
)


def _wait(api: Api, to: str, text: str, timeout: float = 15.0) -> list[dict[str, Any]]:
    """The messages to ``to`` holding ``text``, once at least one has arrived (notices are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in outbox(api, to) if text in m["body"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_400_comes_back_in_dutch_with_the_same_code(api: Api) -> None:
    user = api.user()
    english = user.call("POST", "/me/methods", {})
    dutch = user.call("POST", "/me/methods", {}, headers={"Accept-Language": "nl"})
    assert english.status == dutch.status == 400
    assert english.error["code"] == dutch.error["code"] == "missing_field"
    assert english.error["field"] == dutch.error["field"] == "type"
    assert english.error["message"] == "'type' is required."
    assert dutch.error["message"] == "'type' is verplicht."
    assert dutch.headers.get("Content-Language") == "nl"

    # Quality values decide, not the order: a browser set to Dutch, then English.
    weighted = user.call(
        "POST", "/me/methods", {"type": "phone"}, headers={"Accept-Language": "en;q=0.5,nl-NL,nl;q=0.9"}
    )
    assert weighted.status == 400 and weighted.error["code"] == "missing_field"
    assert weighted.error["message"] in ("'phoneType' is verplicht.", "'phoneNumber' is verplicht.")
    # A language we do not have: English.
    german = user.call("POST", "/me/methods", {}, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.error["message"] == "'type' is required."


def test_a_refusal_with_parameters_reads_in_dutch(api: Api) -> None:
    user = api.user()
    name = user.call(
        "POST",
        "/me/app-passwords",
        {"name": "x" * 65},
        headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"},
    )
    assert name.status in (400, 403)
    if name.status == 400:
        assert name.error["message"] == "'name' mag hooguit 64 tekens hebben."
    unknown = user.call(
        "PATCH", "/me/methods/m-nope", {"displayName": "Work"}, headers={"Accept-Language": "nl"}
    )
    assert unknown.status == 404 and unknown.error["code"] == "not_found"
    assert unknown.error["message"] == "Deze methode bestaat niet."


def test_change_notices_are_sent_in_the_language_of_the_locale_claim(api: Api) -> None:
    user = api.user(locale="nl-NL")
    mobile, address = new_number(), new_address()
    phone = add_phone(user, mobile)  # registering keeps the claim's language on the profile
    step_up_by_phone(user, phone["id"], mobile)
    add_email(user, address)
    [text] = _wait(api, mobile, "is aan je account toegevoegd")
    assert text["channel"] == "sms"
    assert "Een e-mailadres (u•••@contoso.com) is aan je account toegevoegd op " in text["body"]
    assert "Was jij dit niet? Ga dan nu naar Mijn aanmeldingen > Beveiligingsgegevens" in text["body"]

    # Recent activity tells it in the language the page asks for.
    listed = user.call("GET", "/me/activity", headers={"Accept-Language": "nl"})
    assert listed.status == 200
    assert any(
        e["summary"].startswith("Een e-mailadres (u•••@contoso.com) is toegevoegd")
        for e in listed.body["activity"]
    )
    english = user.call("GET", "/me/activity")
    assert any(
        e["summary"].startswith("An email address (u•••@contoso.com) was added")
        for e in english.body["activity"]
    )

    add_phone(user, new_number(), "office")
    [mail] = _wait(api, delivered_to(address), "is aan je account toegevoegd")
    assert mail["channel"] == "email"
    assert mail["subject"] == "Je beveiligingsgegevens zijn gewijzigd"
    assert "Een telefoon (+1 ••••••••" in mail["body"]


def test_without_a_locale_claim_notices_stay_in_english(api: Api) -> None:
    user = api.user(locale="de-DE")  # a language we do not have
    mobile = new_number()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    add_email(user, new_address())
    [text] = _wait(api, mobile, "was added to your account")
    assert "If this wasn't you" in text["body"]
