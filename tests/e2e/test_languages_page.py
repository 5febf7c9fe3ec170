"""The pages in Dutch and English: a browser set to Dutch (nl-NL) gets the Security info page in
Dutch, with `lang="nl"` and Dutch dates, and the service's refusals in Dutch; choosing English in the
header's language picker switches the page at once and is remembered across a reload."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import new_context
from tests.e2e.signin import sign_in
from tests.support_api import Api

pytestmark = pytest.mark.e2e

DUTCH_DATE = re.compile(r"Toegevoegd op \d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}")


@pytest.fixture
def dutch_page(browser: Browser, base_url: str) -> Iterator[Page]:
    ctx: BrowserContext = new_context(browser, base_url, locale="nl-NL")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


def test_a_dutch_browser_gets_dutch_pages_and_english_is_remembered(dutch_page: Page, base_url: str) -> None:
    page = dutch_page
    username = sign_in(page, prefix="e2e-nl")
    expect(page.get_by_role("heading", name="Beveiligingsgegevens", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    picker = page.get_by_test_id("language-picker")
    expect(picker).to_have_value("nl")
    expect(page.get_by_test_id("no-methods")).to_contain_text("Je hebt nog geen aanmeldingsmethoden.")
    expect(page.get_by_role("link", name="Recente activiteit")).to_be_visible()

    # A method added meanwhile (by a script), then the page again: its date in Dutch.
    Api(base_url).user(username).add_totp("Werktelefoon")
    page.reload()
    row = page.get_by_test_id("method-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("method-type")).to_have_text("Authenticator-app")
    expect(row).to_contain_text(DUTCH_DATE)
    expect(page.get_by_test_id("default-method-line")).to_contain_text("Standaardaanmeldingsmethode:")

    # The service answers in the page's language: a refusal from the API reads in Dutch.
    page.get_by_test_id("rename-method").click()
    dialog = page.get_by_test_id("rename-dialog")
    expect(dialog.get_by_role("heading", name="Naam wijzigen")).to_be_visible()
    # (The field stops at 64 characters; a 65th goes past it, as a script could send.)
    dialog.evaluate("d => d.querySelector('input').removeAttribute('maxlength')")
    dialog.get_by_test_id("rename-input").fill("x" * 65)
    dialog.get_by_test_id("rename-save").click()
    expect(dialog.get_by_test_id("rename-error")).to_have_text("'displayName' mag hooguit 64 tekens hebben.")
    dialog.get_by_role("button", name="Annuleren").click()
    expect(dialog).to_be_hidden()
    # A title the Dutch word order opens with the method's name still starts with a capital.
    page.get_by_test_id("delete-method").click()
    expect(page.get_by_test_id("delete-dialog").get_by_role("heading")).to_have_text(
        "Authenticator-app verwijderen"
    )
    page.get_by_test_id("delete-dialog").get_by_role("button", name="Annuleren").click()
    expect(page.get_by_test_id("delete-dialog")).to_have_count(0)

    # English, chosen on the page: at once, and still after a reload.
    page.get_by_test_id("language-picker").select_option("en")
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("method-row").get_by_test_id("method-type")).to_have_text("Authenticator app")
    page.get_by_test_id("delete-method").click()
    expect(page.get_by_test_id("delete-dialog").get_by_role("heading")).to_have_text(
        "Delete authenticator app"
    )
    page.get_by_test_id("delete-dialog").get_by_role("button", name="Cancel").click()
    page.reload()
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("language-picker")).to_have_value("en")
    expect(page.get_by_test_id("method-row")).not_to_contain_text("Toegevoegd")
