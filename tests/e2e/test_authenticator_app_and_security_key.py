"""In Chromium, as a new user would: the Security info page beside the simulated phone page, add the
authenticator app by its activation code, approve the test notification by typing the number, sign
in with push; then add a security key (Chromium's virtual authenticator, DevTools WebAuthn domain)
and sign in with it, and see a replayed assertion refused.

WebAuthn needs a secure context and an RP id that matches the page: the pages are opened at
``http://localhost:<port>`` (not 127.0.0.1), and that origin is allowed for the session below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import STEP_TIMEOUT_MS
from tests.e2e.signin import script_token
from tests.e2e.signin import sign_in as oidc_sign_in
from tests.support_api import Api

pytestmark = pytest.mark.e2e
# A first request may import a function (and py_webauthn): wait as long as a step may take.
WAIT = STEP_TIMEOUT_MS


@pytest.fixture
def phone_context(browser: Browser, local_url: str) -> Iterator[BrowserContext]:
    """The phone is another device: its own context (storage, and a window of its own, so neither
    page is a throttled background tab)."""
    ctx = browser.new_context(base_url=local_url, viewport={"width": 420, "height": 860}, locale="en-US")
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    yield ctx
    ctx.close()


def watched(page: Page, errors: list[str]) -> Page:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


def sign_in(page: Page) -> str:
    username = oidc_sign_in(page)  # straight to the Security info page: no wizard first
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible(timeout=WAIT)
    return username


def choose(page: Page, type_name: str) -> Any:
    page.get_by_test_id("add-method").click()
    dialog = page.get_by_test_id("add-method-dialog")
    dialog.get_by_label("Which method would you like to add?").select_option(type_name)
    dialog.get_by_role("button", name="Add", exact=True).click()
    return dialog


def test_add_the_authenticator_app_beside_the_phone_and_sign_in_with_push(
    local_context: BrowserContext, phone_context: BrowserContext
) -> None:
    errors: list[str] = []
    page = watched(local_context.new_page(), errors)
    phone = watched(phone_context.new_page(), errors)
    sign_in(page)
    phone.goto("/phone.html")
    expect(phone.get_by_role("heading", name="Authenticator")).to_be_visible(timeout=WAIT)

    dialog = choose(page, "authenticatorApp")
    expect(dialog.get_by_role("heading", name="Start by getting the app")).to_be_visible(timeout=WAIT)
    expect(dialog.get_by_test_id("app-open-phone")).to_have_attribute("href", "phone.html", timeout=WAIT)
    dialog.get_by_test_id("app-download-next").click()
    dialog.get_by_label("Name for this method (optional)").fill("Work phone")
    dialog.get_by_test_id("app-account-next").click()
    expect(dialog.get_by_test_id("app-qr").locator("svg")).to_be_visible(timeout=WAIT)
    dialog.get_by_test_id("app-cant-scan").click()
    code = dialog.get_by_test_id("app-activation-code").inner_text()
    qr_content = dialog.get_by_test_id("app-qr").get_attribute("data-qr-content")
    assert qr_content and qr_content.endswith(code.replace("-", ""))

    # On the phone: add the account with the QR code's content.
    phone.get_by_test_id("phone-add-code").fill(qr_content)
    phone.get_by_test_id("phone-add-submit").click()
    expect(phone.get_by_test_id("phone-account")).to_have_count(1, timeout=WAIT)
    expect(phone.get_by_test_id("phone-code")).to_have_text(re.compile(r"^\d{3} \d{3}$"), timeout=WAIT)

    # The test notification: the page shows the number, the phone asks for it.
    dialog.get_by_test_id("app-qr-next").click()
    number = dialog.get_by_test_id("app-test-number")
    expect(number).to_have_text(re.compile(r"^\d{2}$"), timeout=WAIT)
    request = phone.get_by_test_id("phone-request")
    expect(request).to_have_count(1, timeout=WAIT)
    expect(request).to_contain_text("Test notification", timeout=WAIT)
    request.get_by_test_id("phone-number-input").fill(number.inner_text())
    request.get_by_test_id("phone-approve").click()
    expect(dialog.get_by_test_id("app-success")).to_be_visible(timeout=WAIT)
    dialog.get_by_test_id("app-done").click()
    row = page.get_by_test_id("method-row").filter(has_text="Work phone")
    expect(row).to_have_attribute("data-method-type", "authenticatorApp", timeout=WAIT)
    expect(row.get_by_test_id("default-badge")).to_be_visible(timeout=WAIT)

    # Sign in with push.
    page.get_by_test_id("nav-try-sign-in").click()
    page.get_by_test_id("try-start").click()
    sign_in_number = page.get_by_test_id("try-number")
    expect(sign_in_number).to_have_text(re.compile(r"^\d{2}$"), timeout=WAIT)
    request = phone.get_by_test_id("phone-request")
    expect(request).to_contain_text("Approve sign-in?", timeout=WAIT)
    request.get_by_test_id("phone-number-input").fill(sign_in_number.inner_text())
    request.get_by_test_id("phone-approve").click()
    expect(page.get_by_test_id("try-approved")).to_be_visible(timeout=WAIT)
    expect(phone.get_by_test_id("phone-request")).to_have_count(0, timeout=WAIT)
    assert errors == []


def test_a_wrong_number_on_the_phone_is_refused(
    local_context: BrowserContext, phone_context: BrowserContext
) -> None:
    errors: list[str] = []
    page = watched(local_context.new_page(), errors)
    phone = watched(phone_context.new_page(), errors)
    sign_in(page)
    phone.goto("/phone.html")
    dialog = choose(page, "authenticatorApp")
    dialog.get_by_test_id("app-download-next").click()
    dialog.get_by_test_id("app-account-next").click()
    dialog.get_by_test_id("app-cant-scan").click()
    phone.get_by_test_id("phone-add-code").fill(dialog.get_by_test_id("app-activation-code").inner_text())
    phone.get_by_test_id("phone-add-submit").click()
    expect(phone.get_by_test_id("phone-account")).to_have_count(1, timeout=WAIT)
    dialog.get_by_test_id("app-qr-next").click()
    number = dialog.get_by_test_id("app-test-number")
    expect(number).to_have_text(re.compile(r"^\d{2}$"), timeout=WAIT)
    first = number.inner_text()
    phone.get_by_test_id("phone-number-input").fill("10" if first != "10" else "11")
    phone.get_by_test_id("phone-approve").click()
    # The phone says what happened and what comes next, at the top where the request was.
    status = phone.get_by_test_id("phone-status")
    expect(status).to_contain_text("does not match", timeout=WAIT)
    expect(status).to_contain_text("A new notification with a new number is on its way")
    expect(status).not_to_contain_text("Sign in again")
    assert status.evaluate("(el) => el.compareDocumentPosition(document.getElementById('requests'))") & 4
    # The page says the notification was denied beside the number, and it stays said while the
    # new number waits (not only a number that silently changes).
    outcome = dialog.get_by_test_id("app-test-outcome")
    expect(outcome).to_have_text(re.compile(r"didn't match, so that notification was denied"), timeout=WAIT)
    expect(number).not_to_have_text(first, timeout=WAIT)
    expect(phone.get_by_test_id("phone-request")).to_have_count(1, timeout=WAIT)
    page.wait_for_timeout(2000)  # a few polls later
    expect(outcome).to_be_visible()
    expect(dialog.get_by_test_id("app-test-status")).to_have_text("Enter the number shown above in your app.")
    phone.get_by_test_id("phone-number-input").fill(number.inner_text())
    phone.get_by_test_id("phone-approve").click()
    expect(dialog.get_by_test_id("app-success")).to_be_visible(timeout=WAIT)
    assert errors == []


def virtual_authenticator(context: BrowserContext, page: Page) -> Any:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_add_a_security_key_and_sign_in_with_it(local_context: BrowserContext, local_url: str) -> None:
    errors: list[str] = []
    page = watched(local_context.new_page(), errors)
    cdp, authenticator = virtual_authenticator(local_context, page)
    sign_in(page)
    dialog = choose(page, "securityKey")
    dialog.get_by_label("Name this security key").fill("Blue key")
    dialog.get_by_test_id("key-next").click()
    expect(dialog.get_by_test_id("key-success")).to_be_visible(timeout=WAIT)
    dialog.get_by_test_id("key-done").click()
    row = page.get_by_test_id("method-row").filter(has_text="Blue key")
    expect(row).to_have_attribute("data-method-type", "securityKey", timeout=WAIT)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1

    page.get_by_test_id("nav-try-sign-in").click()
    page.get_by_test_id("try-start").click()
    page.get_by_test_id("try-use-key").click()
    expect(page.get_by_test_id("try-approved")).to_be_visible(timeout=WAIT)
    after = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert after[0]["signCount"] > credentials[0]["signCount"]

    # An assertion the browser made, sent twice: the second use of its challenge is refused, and
    # on a fresh verification the old assertion answers the wrong challenge.
    api = Api(local_url)
    token = script_token(page)
    started = api.call("POST", "/me/verifications", {"purpose": "mfa"}, token=token).body
    assertion = page.evaluate(
        """async (options) => {
            const credential = await navigator.credentials.get({
                publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
            return credential.toJSON();
        }""",
        started["challenge"]["publicKey"],
    )
    path = f"/me/verifications/{started['verificationId']}"
    assert api.call("POST", path, {"credential": assertion}, token=token).status == 200
    assert api.call("POST", path, {"credential": assertion}, token=token).status == 410
    again = api.call("POST", "/me/verifications", {"purpose": "mfa"}, token=token).body
    replay = api.call(
        "POST", f"/me/verifications/{again['verificationId']}", {"credential": assertion}, token=token
    )
    assert replay.status in (400, 410)
    assert errors == []


def test_the_same_key_cannot_be_added_twice(local_context: BrowserContext) -> None:
    errors: list[str] = []
    page = watched(local_context.new_page(), errors)
    virtual_authenticator(local_context, page)
    sign_in(page)
    dialog = choose(page, "securityKey")
    dialog.get_by_label("Name this security key").fill("Key")
    dialog.get_by_test_id("key-next").click()
    dialog.get_by_test_id("key-done").click()
    # Adding again needs a step-up: with the key itself.
    dialog = choose(page, "securityKey")
    step_up = page.get_by_test_id("step-up-dialog")
    dialog.get_by_label("Name this security key").fill("Same key")
    dialog.get_by_test_id("key-next").click()
    step_up.get_by_test_id("step-up-use-key").click()
    # excludeCredentials: the authenticator refuses to register itself twice.
    expect(dialog.get_by_test_id("key-error")).to_contain_text("already registered", timeout=WAIT)
    assert errors == []
