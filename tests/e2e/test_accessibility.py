"""The pages for someone who uses a screen reader or only a keyboard.

axe-core checks every page and every dialog a first visit meets (the wizard's steps are checked in
``test_wizard_page.py`` as they are walked); a person with only a keyboard adds a method, goes
through the wizard, creates an app password and reports activity on Recent activity, pressing
Tab, Shift+Tab, Enter, Space and Escape and typing, never clicking; dialogs take the focus when they
open and give it back to what opened them when they close; what changes without the person acting
(a toast, a push approved or denied) is said through a live region.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from securityinfo.methods.totp import code_for_step, step_at
from tests.e2e.accessibility import assert_accessible
from tests.e2e.signin import sign_in
from tests.support_admin import policy_changed
from tests.support_api import Api
from tests.support_device import Device

pytestmark = pytest.mark.e2e

MAX_TABS = 60


# -- a keyboard and nothing else ---------------------------------------------------------------


def focused(target: Locator) -> bool:
    return bool(target.evaluate("(el) => el.contains(document.activeElement)"))


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until ``target`` has the focus; fails if the keyboard cannot reach it."""
    expect(target).to_be_visible()
    for _ in range(MAX_TABS):
        if focused(target):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def press_on(page: Page, target: Locator, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def in_dialog(page: Page) -> bool:
    return bool(page.evaluate("() => Boolean(document.activeElement?.closest('dialog[open]'))"))


def service_code(page: Page, secret: str, ahead: int = 0) -> str:
    now = datetime.fromisoformat(page.request.get("/local/clock").json()["now"].replace("Z", "+00:00"))
    return code_for_step(secret, step_at(now.timestamp()) + ahead)


def texted_code(page: Page, number: str) -> str:
    body = page.request.get(f"/local/outbox?to={number.replace('+', '%2B')}").json()["messages"][0]["body"]
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


def live_text(page: Page) -> str:
    """What the page-wide live region (role=status, aria-live=polite) holds now."""
    region = page.locator("#status")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_attribute("role", "status")
    return region.inner_text()


# -- every page ----------------------------------------------------------------------------------


def test_every_page_and_dialog_has_no_serious_or_critical_violation(page: Page, base_url: str) -> None:
    page.goto("/#/security-info")
    signed_out = page.get_by_test_id("signed-out-sign-in")
    expect(signed_out.or_(page.get_by_label("Username"))).to_be_visible()
    assert_accessible(page, "signed out")
    if signed_out.is_visible():
        signed_out.click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert_accessible(page, "the identity provider's sign-in page")

    api = Api(base_url)
    user = api.user(f"a11y-{uuid.uuid4().hex[:10]}")
    user.add_totp("My phone")
    sign_in(page, user.username)
    expect(page.get_by_test_id("method-row")).to_have_count(1)
    assert_accessible(page, "Security info")

    # The add-method chooser, then each method's first step.
    for option in ("authenticatorApp", "softwareOath", "phone", "securityKey", "email", "securityQuestions"):
        page.get_by_test_id("add-method").click()
        dialog = page.get_by_test_id("add-method-dialog")
        expect(dialog).to_be_visible()
        assert_accessible(page, "the add-method dialog")
        dialog.get_by_label("Which method would you like to add?").select_option(option)
        dialog.get_by_role("button", name="Add", exact=True).click()
        # A second method needs a step-up first: that dialog is checked, then the way on.
        step_up = page.get_by_test_id("step-up-dialog")
        expect(step_up.or_(dialog.locator(".dialog-body :is(input, select, button)").first)).to_be_visible()
        assert_accessible(page, f"adding {option}: first step")
        page.keyboard.press("Escape")
        expect(page.locator("dialog[open]")).to_have_count(0)

    for route, heading in (
        ("/#/recent-activity", "Recent activity"),
        ("/#/try-sign-in", "Try sign-in"),
        ("/#/reset-password", "Reset password"),
    ):
        page.goto(route)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        assert_accessible(page, route)

    for address, heading in (("/phone.html", "Authenticator"), ("/api.html", None)):
        page.goto(address)
        if heading:
            expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        else:
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_accessible(page, address)

    sign_in(page, route="/admin.html", admin=True, prefix="a11y-admin")
    expect(page.get_by_role("heading", name="Security info administration", level=1)).to_be_visible()
    expect(page.get_by_test_id("policy-form")).to_be_visible()
    assert_accessible(page, "the admin page")
    users = page.get_by_test_id("users-card")
    users.get_by_label("User ID").fill(user.username)
    users.get_by_role("button", name="Look up").click()
    expect(users.get_by_test_id("user-panel")).to_be_visible()
    assert_accessible(page, "the admin page with a user")


# -- keyboard-only paths -------------------------------------------------------------------------


def test_adding_a_method_with_the_keyboard_only(page: Page) -> None:
    sign_in(page, prefix="kbd")
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    opener = page.get_by_test_id("add-method")
    press_on(page, opener)
    dialog = page.get_by_test_id("add-method-dialog")
    expect(dialog).to_be_visible()
    assert in_dialog(page), "the dialog did not take the focus"

    # Escape closes it and the focus goes back to the button that opened it.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()  # back on "Add sign-in method"

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    chooser = dialog.get_by_label("Which method would you like to add?")
    tab_to(page, chooser)
    # Choose "Authenticator app (other)" by the arrow key, as a keyboard user does in a list box.
    for _ in range(10):
        if chooser.input_value() == "softwareOath":
            break
        page.keyboard.press("ArrowDown")
    assert chooser.input_value() == "softwareOath"
    press_on(page, dialog.get_by_role("button", name="Add", exact=True))
    press_on(page, dialog.get_by_test_id("oath-start"))
    # Any QR code app: "Can't scan the QR image?" shows the key, which the person types into the app.
    press_on(page, dialog.get_by_role("button", name="Can't scan the QR image?"))
    secret = re.sub(r"\s", "", dialog.get_by_test_id("oath-secret").inner_text())
    press_on(page, dialog.get_by_role("button", name="Next"))
    type_into(page, dialog.get_by_label("Code"), service_code(page, secret))
    page.keyboard.press("Enter")
    expect(dialog.get_by_test_id("oath-success")).to_be_visible()
    assert in_dialog(page)
    press_on(page, dialog.get_by_role("button", name="Done"))
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("method-row")).to_have_count(1)
    # The toast is said through the page's live region.
    expect(page.locator("#status")).to_contain_text("added")
    assert "added" in live_text(page)


def test_the_wizard_with_the_keyboard_only(page: Page) -> None:
    sign_in(page, route="/", prefix="kbd-wizard")
    wizard = page.get_by_test_id("wizard")
    expect(wizard.get_by_role("heading", name="Keep your account secure", level=1)).to_be_visible()
    press_on(page, wizard.get_by_role("button", name="I want to use a different authenticator app"))
    expect(wizard.get_by_role("heading", name="Scan the QR code")).to_be_visible()
    press_on(page, wizard.get_by_role("button", name="Can't scan image?"))
    secret = re.sub(r"\s", "", wizard.get_by_test_id("wizard-secret").inner_text())
    type_into(page, wizard.get_by_label("Enter code"), service_code(page, secret))
    page.keyboard.press("Enter")  # submits the page's form: Next

    expect(wizard.get_by_test_id("wizard-section")).to_have_text("Phone")
    country = wizard.get_by_label("Country or region")
    tab_to(page, country)
    page.keyboard.type("United States")
    expect(country).to_have_value("US")
    number = "+1425555" + str(uuid.uuid4().int % 10000).zfill(4)
    type_into(page, wizard.get_by_label("Phone number"), number.removeprefix("+1"))
    receive = wizard.get_by_label("Receive a code")
    tab_to(page, receive)
    page.keyboard.press("Space")
    expect(receive).to_be_checked()
    press_on(page, wizard.get_by_role("button", name="Next"))
    expect(wizard.get_by_test_id("wizard-code-sent")).to_be_visible()
    type_into(page, wizard.get_by_label("Enter code"), texted_code(page, number))
    page.keyboard.press("Enter")

    expect(wizard.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    press_on(page, wizard.get_by_role("button", name="Next"))
    expect(wizard.get_by_role("heading", name="Success!")).to_be_visible()
    press_on(page, wizard.get_by_role("button", name="Done"))
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    expect(page.get_by_test_id("method-row")).to_have_count(2)


def test_an_app_password_with_the_keyboard_only(page: Page, base_url: str) -> None:
    api = Api(base_url)
    with policy_changed(api, {"appPasswords": {"enabled": True, "required": False}}):
        user = api.user(f"kbd-{uuid.uuid4().hex[:10]}")
        _, secret = user.add_totp("My phone")
        sign_in(page, user.username)
        section = page.get_by_test_id("app-passwords")
        opener = section.get_by_role("button", name="Create app password")
        press_on(page, opener)
        dialog = page.get_by_test_id("app-password-dialog")
        expect(dialog).to_be_visible()
        assert in_dialog(page)
        type_into(page, dialog.get_by_label("Name"), "Old mail app")
        page.keyboard.press("Enter")
        # Creating one is a change: the step-up dialog comes on top and takes the focus.
        step_up = page.get_by_test_id("step-up-dialog")
        expect(step_up).to_be_visible()
        assert in_dialog(page)
        type_into(page, step_up.get_by_label("Code"), service_code(page, secret, ahead=1))
        page.keyboard.press("Enter")
        expect(step_up).to_have_count(0)
        expect(dialog.get_by_test_id("app-password-value")).to_be_visible()
        assert in_dialog(page)
        press_on(page, dialog.get_by_role("button", name="Done"))
        expect(dialog).to_have_count(0)
        expect(section).to_contain_text("Old mail app")
        # Back on the page, the focus is on the page again (not lost on a removed dialog).
        assert page.evaluate("() => document.activeElement && document.activeElement !== document.body")


def test_recent_activity_with_the_keyboard_only(page: Page, base_url: str) -> None:
    api = Api(base_url)
    user = api.user(f"kbd-{uuid.uuid4().hex[:10]}")
    method, secret = user.add_totp("My phone")
    user.step_up(secret)
    assert user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": "Tablet"}).status == 200
    sign_in(page, user.username)
    press_on(page, page.get_by_test_id("nav-recent-activity"))
    expect(page.get_by_role("heading", name="Recent activity", level=1)).to_be_visible()
    row = page.get_by_test_id("activity-row").first
    expect(row.get_by_test_id("activity-summary")).to_contain_text("Tablet")
    opener = row.get_by_role("button", name="This wasn't me")
    press_on(page, opener)
    dialog = page.get_by_test_id("report-dialog")
    expect(dialog).to_be_visible()
    assert in_dialog(page)
    # Escape leaves it unreported, and the focus is back on "This wasn't me".
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    page.keyboard.press("Enter")
    press_on(page, dialog.get_by_role("button", name="Report"))
    expect(dialog).to_have_count(0)
    expect(row.get_by_test_id("activity-reported")).to_have_text("Reported")
    expect(page.get_by_test_id("at-risk")).to_be_visible()
    assert_accessible(page, "Recent activity after a report")


# -- what changes by itself is said --------------------------------------------------------------


def test_a_push_approved_or_denied_is_announced(page: Page, base_url: str) -> None:
    api = Api(base_url)
    user = api.user(f"live-{uuid.uuid4().hex[:10]}")
    begun = user.call("POST", "/me/methods", {"type": "authenticatorApp"})
    device = Device(api)
    assert device.activate(begun.body["activationCode"]).status == 201
    registration = f"/me/methods/registrations/{begun.body['registrationId']}"
    first = user.call("POST", registration, {}).body
    assert device.approve(device.wait_for_request()["verificationId"], first["numberToMatch"]).status == 204
    assert user.call("POST", registration, {}).status == 201

    sign_in(page, user.username, route="/#/try-sign-in")
    press_on(page, page.get_by_role("button", name="Start sign-in"))
    number = page.get_by_test_id("try-number")
    expect(number).to_have_text(re.compile(r"^\d{2}$"))
    # The waiting line is a live region, so its changes are said as they happen.
    expect(page.get_by_test_id("try-push-status")).to_have_attribute("role", "status")
    assert device.approve(device.wait_for_request()["verificationId"], number.inner_text()).status == 204
    expect(page.locator("#status")).to_contain_text("Sign-in approved.")

    press_on(page, page.get_by_role("button", name="Try again"))
    press_on(page, page.get_by_role("button", name="Start sign-in"))
    expect(number).to_have_text(re.compile(r"^\d{2}$"))
    assert device.decide(device.wait_for_request()["verificationId"], "deny").status == 204
    denied = page.get_by_role("alert").filter(has_text="denied")
    expect(denied).to_be_visible()
