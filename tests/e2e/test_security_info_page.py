"""The Security info page as a person uses it in a browser: sign in, add an authenticator app
from the "Can't scan the QR image?" key, verify their identity before changes, rename, add a
second app, change the default, delete, and see wrong codes explained.

Codes are computed the way the person's app would, from the secret the page shows and the
*service* clock (``/local/clock``): another test may have moved it forward.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import Locator, Page, expect

from securityinfo.methods.totp import code_for_step, step_at
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.signin import sign_in as oidc_sign_in

pytestmark = pytest.mark.e2e


# -- what a person does -------------------------------------------------------------------------


def service_now(page: Page) -> float:
    answer = page.request.get("/local/clock")
    assert answer.ok, answer.text()
    return datetime.fromisoformat(answer.json()["now"].replace("Z", "+00:00")).timestamp()


def current_code(page: Page, secret: str) -> str:
    return code_for_step(secret, step_at(service_now(page)))


def next_code(page: Page, secret: str) -> str:
    """The code for the next time step: the current one was already used (a replay is refused),
    and the server accepts one step of drift either side."""
    return code_for_step(secret, step_at(service_now(page)) + 1)


def wrong_code(page: Page, secret: str) -> str:
    step = step_at(service_now(page))
    valid = {code_for_step(secret, s) for s in range(step - 2, step + 3)}
    return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 111_111)) if c not in valid)


def sign_in(page: Page, prefix: str = "e2e") -> str:
    username = oidc_sign_in(page, prefix=prefix)  # straight to the page: no wizard first
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    return username


def method_rows(page: Page) -> Locator:
    return page.get_by_test_id("method-row")


def row_named(page: Page, name: str) -> Locator:
    return method_rows(page).filter(has=page.get_by_test_id("method-name").get_by_text(name, exact=True))


def start_adding_app(page: Page, name: str | None) -> tuple[Locator, str]:
    """From Security info to the QR step; returns the dialog and the secret read off the page."""
    page.get_by_test_id("add-method").click()
    dialog = page.get_by_test_id("add-method-dialog")
    expect(dialog.get_by_role("heading", name="Add a method")).to_be_visible()
    dialog.get_by_label("Which method would you like to add?").select_option("softwareOath")
    dialog.get_by_role("button", name="Add", exact=True).click()
    if name is not None:
        dialog.get_by_label("Name for this method (optional)").fill(name)
    dialog.get_by_role("button", name="Next").click()
    return dialog, read_secret(page, dialog)


def read_secret(page: Page, dialog: Locator) -> str:
    expect(dialog.get_by_role("heading", name="Scan the QR code")).to_be_visible()
    expect(dialog.get_by_test_id("oath-qr").locator("svg")).to_be_visible()
    panel = dialog.get_by_test_id("cant-scan-panel")
    expect(panel).to_be_hidden()
    dialog.get_by_role("button", name="Can't scan the QR image?").click()
    expect(panel).to_be_visible()
    shown = dialog.get_by_test_id("oath-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", shown), f"secret not grouped in fours: {shown!r}"
    expect(dialog.get_by_test_id("oath-issuer")).not_to_be_empty()
    return shown.replace(" ", "")


def confirm_app(page: Page, dialog: Locator, secret: str) -> None:
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_role("heading", name="Enter code")).to_be_visible()
    dialog.get_by_label("Code").fill(current_code(page, secret))
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_test_id("oath-success")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)


def verify_identity(page: Page, secret: str) -> None:
    """The step-up dialog: it appears by itself when a change needs it."""
    step_up = page.get_by_test_id("step-up-dialog")
    expect(step_up.get_by_role("heading", name="Verify your identity")).to_be_visible()
    code = step_up.get_by_label("Code")
    expect(code).to_be_focused()
    code.fill(next_code(page, secret))
    step_up.get_by_role("button", name="Verify").click()
    expect(step_up).to_have_count(0)


def save_screenshot(page: Page, name: str) -> None:
    """The main view as a reviewer sees it, without the transient toast."""
    page.get_by_test_id("status-message").get_by_role("button", name="Dismiss").click()
    expect(page.get_by_test_id("status-message")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


# -- tests --------------------------------------------------------------------------------------


def test_manage_authenticator_apps_from_first_sign_in_to_delete(page: Page) -> None:
    username = sign_in(page)
    expect(page.get_by_test_id("no-methods")).to_be_visible()
    expect(page.get_by_test_id("default-method")).to_have_text("None yet")
    expect(page.get_by_test_id("registration-banner")).to_be_visible()

    # First app: no step-up (bootstrap), the account name is the user's, and it becomes the default.
    dialog, first_secret = start_adding_app(page, name=None)
    expect(dialog.get_by_test_id("oath-account-name")).to_have_text(username)
    confirm_app(page, dialog, first_secret)
    expect(page.get_by_test_id("status-message")).to_contain_text("was added")
    expect(method_rows(page)).to_have_count(1)
    first = method_rows(page).first
    expect(first.get_by_test_id("method-name")).to_have_text("Authenticator app")
    expect(first.get_by_test_id("method-type")).to_have_text("Authenticator app")
    expect(first.get_by_test_id("default-badge")).to_be_visible()
    expect(page.get_by_test_id("default-method")).to_have_text("Authenticator app")
    expect(page.get_by_test_id("no-methods")).to_have_count(0)

    # Rename: a change, so "Verify your identity" comes first; then the rename goes through.
    first.get_by_role("button", name="Change name of Authenticator app").click()
    rename = page.get_by_test_id("rename-dialog")
    rename.get_by_label("Name", exact=True).fill("Work phone")
    rename.get_by_role("button", name="Save").click()
    verify_identity(page, first_secret)
    expect(rename).to_have_count(0)
    expect(page.get_by_test_id("status-message")).to_contain_text("Work phone")
    expect(row_named(page, "Work phone")).to_have_count(1)

    # Second app: the step-up from the rename still holds, so no second dialog.
    dialog, second_secret = start_adding_app(page, name="Tablet")
    assert second_secret != first_secret
    confirm_app(page, dialog, second_secret)
    expect(page.get_by_test_id("step-up-dialog")).to_have_count(0)
    expect(method_rows(page)).to_have_count(2)
    expect(row_named(page, "Work phone").get_by_test_id("default-badge")).to_be_visible()
    expect(row_named(page, "Tablet").get_by_test_id("default-badge")).to_have_count(0)

    # Change the default to the second app.
    page.get_by_role("button", name="Change default sign-in method").click()
    default = page.get_by_test_id("default-dialog")
    options = default.get_by_label("Which method would you like to use to sign in?").locator("option")
    expect(options).to_have_text(
        [
            "Authenticator app \u2013 Work phone",
            "Authenticator app \u2013 Tablet",
            "Always use the most secure method (system-preferred)",
        ]
    )
    default.get_by_label("Which method would you like to use to sign in?").select_option(
        label="Authenticator app \u2013 Tablet"
    )
    default.get_by_role("button", name="Confirm").click()
    expect(default).to_have_count(0)
    expect(page.get_by_test_id("default-method")).to_have_text("Authenticator app: Tablet")
    expect(row_named(page, "Tablet").get_by_test_id("default-badge")).to_be_visible()
    expect(row_named(page, "Work phone").get_by_test_id("default-badge")).to_have_count(0)
    save_screenshot(page, "security-info.png")

    # Delete the first app, after saying "Cancel" once.
    row_named(page, "Work phone").get_by_role("button", name="Delete Authenticator app Work phone").click()
    confirm = page.get_by_test_id("delete-dialog")
    expect(confirm).to_contain_text("Are you sure you would like to delete this method")
    expect(confirm.get_by_test_id("delete-last-warning")).to_have_count(0)  # another app remains
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    expect(method_rows(page)).to_have_count(2)
    row_named(page, "Work phone").get_by_role("button", name="Delete Authenticator app Work phone").click()
    page.get_by_test_id("delete-dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("delete-dialog")).to_have_count(0)
    expect(page.get_by_test_id("status-message")).to_contain_text("was deleted")

    expect(method_rows(page)).to_have_count(1)
    expect(method_rows(page).first.get_by_test_id("method-name")).to_have_text("Tablet")
    expect(method_rows(page).first.get_by_test_id("default-badge")).to_be_visible()

    # What the server says agrees with the page after a reload (the session survives it).
    page.reload()
    expect(method_rows(page)).to_have_count(1)
    expect(page.get_by_test_id("default-method")).to_have_text("Authenticator app: Tablet")


def test_a_wrong_code_says_what_is_wrong_and_how_many_tries_are_left(page: Page) -> None:
    sign_in(page)
    dialog, secret = start_adding_app(page, name=None)
    dialog.get_by_role("button", name="Next").click()
    code = dialog.get_by_label("Code")
    code.fill(wrong_code(page, secret))
    dialog.get_by_role("button", name="Next").click()

    error = dialog.get_by_test_id("oath-code-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("That code is not right")
    expect(error).to_contain_text("4 attempts left")
    expect(code).to_have_attribute("aria-invalid", "true")

    # The person can still finish with the right code.
    code.fill(current_code(page, secret))
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_test_id("oath-success")).to_be_visible()


def test_step_up_explains_a_wrong_code_and_cancelling_changes_nothing(page: Page) -> None:
    sign_in(page)
    dialog, secret = start_adding_app(page, name="Phone")
    confirm_app(page, dialog, secret)

    row_named(page, "Phone").get_by_role("button", name="Delete Authenticator app Phone").click()
    # The only method: the dialog says plainly what deleting it costs (nothing "remains").
    warning = page.get_by_test_id("delete-dialog").get_by_test_id("delete-last-warning")
    expect(warning).to_contain_text("This is your only sign-in method.")
    expect(page.get_by_test_id("delete-dialog")).not_to_contain_text("strongest remaining")
    page.get_by_test_id("delete-dialog").get_by_role("button", name="Delete").click()
    step_up = page.get_by_test_id("step-up-dialog")
    expect(step_up.get_by_role("heading", name="Verify your identity")).to_be_visible()
    step_up.get_by_label("Code").fill(wrong_code(page, secret))
    step_up.get_by_role("button", name="Verify").click()
    expect(step_up.get_by_test_id("step-up-error")).to_contain_text("attempts left")

    # Closing the dialog cancels the change: the method stays, and the page says why.
    step_up.get_by_role("button", name="Close").click()
    expect(step_up).to_have_count(0)
    expect(page.get_by_test_id("delete-error")).to_contain_text("cancelled")
    page.get_by_test_id("delete-dialog").get_by_role("button", name="Cancel").click()
    expect(method_rows(page)).to_have_count(1)


def test_try_sign_in_with_the_authenticator_app(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Try sign-in").click()
    expect(page.get_by_test_id("try-no-method")).to_be_visible()

    page.get_by_role("link", name="Security info").click()
    dialog, secret = start_adding_app(page, name=None)
    confirm_app(page, dialog, secret)

    page.get_by_role("link", name="Try sign-in").click()
    expect(page.get_by_role("link", name="Try sign-in")).to_have_attribute("aria-current", "page")
    page.get_by_role("button", name="Start sign-in").click()
    panel = page.get_by_test_id("try-sign-in-panel")
    panel.get_by_label("Code").fill(next_code(page, secret))
    panel.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("try-approved")).to_contain_text("Approved")
