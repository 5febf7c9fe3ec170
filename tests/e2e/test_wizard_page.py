""" "Keep your account secure" in Chromium, as a new user meets it at sign-in: the whole default
wizard (authenticator app, then a phone by text) with the simulated authenticator, a wrong text
code explained with the attempts left, and the Security info page's way in.

The phone's side is ``tests/support_device.py`` (the device API, as web/phone.html speaks it);
the text message is read from the local runtime's outbox.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from playwright.sync_api import Expect, Locator, Page

from securityinfo.methods.totp import code_for_step, step_at
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import ARTIFACTS, STEP_TIMEOUT_MS
from tests.e2e.signin import sign_in as oidc_sign_in
from tests.support_api import Api
from tests.support_device import Device

pytestmark = pytest.mark.e2e
# Each Next is a server round trip through the workflow (and a first one may import a function):
# wait for what it shows as long as a step may take (this module's own expect, not the global one).
expect = Expect()
expect.set_options(timeout=STEP_TIMEOUT_MS)


def fresh_number() -> str:
    return "+1425555" + str(uuid.uuid4().int % 10000).zfill(4)


def sign_in(page: Page, address: str = "/") -> str:
    return oidc_sign_in(page, route=address, prefix="wizard")


def texted_code(page: Page, number: str) -> str:
    answer = page.request.get(f"/local/outbox?to={number.replace('+', '%2B')}")
    assert answer.ok, answer.text()
    messages = answer.json()["messages"]
    assert messages, f"no text to {number}"
    found = re.search(r"\b(\d{6})\b", messages[0]["body"])
    assert found, messages[0]["body"]
    return found.group(1)


def totp_now(page: Page, secret: str) -> str:
    stamp = page.request.get("/local/clock").json()["now"]
    now = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    return code_for_step(secret, step_at(now))


def page_title(wizard: Locator, text: str) -> Locator:
    return wizard.get_by_role("heading", name=text)


def enter_phone(wizard: Locator, number: str) -> None:
    expect(wizard.get_by_test_id("wizard-section")).to_have_text("Phone")
    assert_accessible(wizard.page, "wizard: the phone number")
    expect(wizard).to_contain_text(
        "You can prove who you are by answering a call on your phone or receiving a code on your phone."
    )
    wizard.get_by_label("Country or region").select_option("US")
    wizard.get_by_label("Phone number").fill(number.removeprefix("+1"))
    wizard.get_by_label("Receive a code").check()
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_test_id("wizard-code-sent")).to_have_text(
        re.compile(rf"^We just sent a 6-digit code to \+1 •+{number[-2:]}\. Enter the code below\.$")
    )


def test_a_new_user_sets_up_the_authenticator_app_and_a_phone_at_sign_in(page: Page, base_url: str) -> None:
    api = Api(base_url)
    ARTIFACTS.mkdir(exist_ok=True)
    username = sign_in(page)
    wizard = page.get_by_test_id("wizard")
    expect(wizard.get_by_role("heading", name="Keep your account secure", level=1)).to_be_visible()
    expect(page.get_by_test_id("wizard-progress-caption")).to_have_text("Method 1 of 2: App")

    # Download -> set up -> the QR code.
    expect(page_title(wizard, "Start by getting the app")).to_be_visible()
    expect(wizard.get_by_role("button", name="I want to use a different authenticator app")).to_be_visible()
    expect(wizard.get_by_role("button", name="I want to set up a different method")).to_be_visible()
    expect(page.get_by_test_id("wizard-skip")).to_have_count(0)  # the default policy allows no snoozing
    expect(page.get_by_test_id("wizard-sign-out")).to_be_visible()  # the way out instead
    assert_accessible(page, "wizard: download the app")
    wizard.get_by_role("button", name="Next").click()
    expect(page_title(wizard, "Set up your account")).to_be_visible()
    assert_accessible(page, "wizard: set up your account")
    wizard.get_by_role("button", name="Next").click()
    expect(page_title(wizard, "Scan the QR code")).to_be_visible()
    assert_accessible(page, "wizard: scan the QR code")
    qr = wizard.get_by_test_id("wizard-qr").locator("svg")
    expect(qr).to_be_visible()
    assert qr.locator("script, foreignObject").count() == 0
    page.screenshot(path=str(ARTIFACTS / "wizard-qr.png"), full_page=True)

    # Next before the phone has the account: said on the page.
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_test_id("wizard-error")).to_contain_text("Scan the QR code with the app")
    assert_accessible(page, "wizard: QR code with an error")
    wizard.get_by_role("button", name="Can't scan image?").click()
    code = wizard.get_by_test_id("wizard-activation-code")
    expect(code).to_have_text(re.compile(r"\S"))
    assert_accessible(page, "wizard: the code and URL instead of the QR code")
    expect(wizard.get_by_test_id("wizard-activation-url")).to_have_text(re.compile(r"^https?://"))
    device = Device(api, name="Pixel 9")
    assert device.activate(re.sub(r"[\s-]", "", code.inner_text())).status == 201

    # "Let's try it out": the page shows the number, the phone approves with it, then Next.
    wizard.get_by_role("button", name="Next").click()
    expect(page_title(wizard, "Let's try it out")).to_be_visible()
    number = wizard.get_by_test_id("wizard-number")
    expect(number).to_have_text(re.compile(r"^\d{2}$"))
    # Next before approving: the page says to approve first...
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_test_id("wizard-error")).to_contain_text("Approve the notification on your phone")
    assert_accessible(page, "wizard: let's try it out, not approved yet")
    request = device.wait_for_request()
    assert device.approve(request["verificationId"], number.inner_text()).status == 204
    # ...and once the phone approves, that error goes and the page says the approval arrived.
    expect(wizard.get_by_test_id("wizard-test-result")).to_have_text(re.compile(r"^Notification approved\."))
    expect(wizard.get_by_test_id("wizard-error")).to_be_hidden()
    assert_accessible(page, "wizard: notification approved")
    wizard.get_by_role("button", name="Next").click()

    # The phone, by text, with the code from the outbox.
    expect(page.get_by_test_id("wizard-progress-caption")).to_have_text("Method 2 of 2: Phone")
    phone_number = fresh_number()
    enter_phone(wizard, phone_number)
    expect(wizard.get_by_role("button", name="Resend code")).to_be_visible()
    assert_accessible(page, "wizard: the texted code")
    wizard.get_by_label("Enter code").fill(texted_code(page, phone_number))
    wizard.get_by_role("button", name="Next").click()

    # The policy offers recovery codes on the last page: ten, shown once.
    expect(wizard.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(wizard.get_by_test_id("wizard-recovery-code")).to_have_count(10)
    assert_accessible(page, "wizard: save your recovery codes")
    wizard.get_by_role("button", name="Next").click()

    # Success, with both methods; Done leads to Security info, which lists them.
    expect(wizard.get_by_role("heading", name="Success!")).to_be_visible()
    expect(wizard).to_contain_text("Great job! You have successfully set up your security info.")
    assert_accessible(page, "wizard: success")
    items = wizard.get_by_test_id("wizard-registered-item")
    expect(items).to_have_count(2)
    expect(items.filter(has_text="Authenticator app")).to_contain_text("Pixel 9")
    expect(items.filter(has_text="Phone")).to_contain_text("+1 ")
    assert phone_number[2:] not in wizard.inner_text()  # masked, never the whole number
    expect(wizard.get_by_test_id("wizard-default")).to_contain_text("Authenticator app")
    page.screenshot(path=str(ARTIFACTS / "wizard-success.png"), full_page=True)
    wizard.get_by_role("button", name="Done").click()

    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    rows = page.get_by_test_id("method-row")
    expect(rows).to_have_count(2)
    expect(rows.and_(page.locator("[data-method-type=authenticatorApp]"))).to_have_count(1)
    expect(rows.and_(page.locator("[data-method-type=phone]"))).to_have_count(1)
    expect(page.get_by_test_id("registration-banner")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "wizard-after.png"), full_page=True)

    # Signing in again: nothing left to set up, so no wizard.
    page.get_by_test_id("sign-out").click()
    page.get_by_test_id("signed-out").get_by_role("button", name="Sign in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    expect(page.get_by_test_id("method-row")).to_have_count(2)


def test_a_different_app_then_a_wrong_text_code_is_explained_with_the_attempts_left(
    page: Page, base_url: str
) -> None:
    sign_in(page)
    wizard = page.get_by_test_id("wizard")
    wizard.get_by_role("button", name="I want to use a different authenticator app").click()
    expect(page_title(wizard, "Scan the QR code")).to_be_visible()
    wizard.get_by_role("button", name="Can't scan image?").click()
    assert_accessible(page, "wizard: another authenticator app's QR code")
    secret = re.sub(r"\s", "", wizard.get_by_test_id("wizard-secret").inner_text())
    wizard.get_by_label("Enter code").fill(totp_now(page, secret))
    wizard.get_by_role("button", name="Next").click()

    phone_number = fresh_number()
    enter_phone(wizard, phone_number)
    right = texted_code(page, phone_number)
    wrong = "000000" if right != "000000" else "111111"
    wizard.get_by_label("Enter code").fill(wrong)
    wizard.get_by_role("button", name="Next").click()
    error = wizard.get_by_test_id("wizard-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("4 attempts left")
    expect(wizard.get_by_label("Enter code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "wizard: a wrong texted code")
    page.screenshot(path=str(ARTIFACTS / "wizard-wrong-code.png"), full_page=True)

    wizard.get_by_label("Enter code").fill(right)
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    wizard.get_by_role("button", name="Next").click()
    expect(wizard.get_by_role("heading", name="Success!")).to_be_visible()
    expect(wizard.get_by_test_id("wizard-registered-item")).to_have_count(2)


def test_the_security_info_banner_opens_the_wizard_and_the_page_can_be_left(page: Page) -> None:
    sign_in(page, "/#/security-info")  # straight to the page: no wizard first
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    page.get_by_test_id("registration-banner").get_by_role("link", name="Keep your account secure").click()
    wizard = page.get_by_test_id("wizard")
    expect(page_title(wizard, "Start by getting the app")).to_be_visible()
    wizard.get_by_role("button", name="Next").click()
    expect(page_title(wizard, "Set up your account")).to_be_visible()
    wizard.get_by_role("button", name="Back").click()
    expect(page_title(wizard, "Start by getting the app")).to_be_visible()
    page.get_by_test_id("wizard-leave").click()
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    # The wizard kept running: the way back in resumes it where it was.
    page.get_by_test_id("keep-secure-start").click()
    expect(page_title(wizard, "Start by getting the app")).to_be_visible()


def test_skip_for_now_appears_only_where_the_policy_allows_it_and_goes_on_to_security_info(
    page: Page, base_url: str
) -> None:
    from tests.support_admin import policy_changed

    with policy_changed(Api(base_url), {"registration": {"snoozeDays": 3, "maxSnoozes": 1}}):
        sign_in(page)
        wizard = page.get_by_test_id("wizard")
        expect(page_title(wizard, "Start by getting the app")).to_be_visible()
        expect(page.get_by_test_id("wizard-sign-out")).to_have_count(0)
        page.get_by_role("button", name="Skip for now").click()
        expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
        expect(page.get_by_test_id("status-message")).to_contain_text("We'll ask again when you sign in.")
        expect(page.get_by_test_id("registration-banner")).to_be_visible()
