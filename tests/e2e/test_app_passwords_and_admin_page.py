"""App passwords, remembered devices and the admin page as people use them in a browser: the
administrator allows app passwords; a user creates one, sees it once, the sign-in service accepts
it, the limit of 40 is explained, and it is deleted; "Don't ask again" skips the second step until
the user forgets their devices; the administrator clears a user, who is asked to register again.

Set-up a person would have done earlier (a TOTP app, 39 more app passwords) goes through the API as
the same user; what is asserted is what the pages show.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.signin import sign_in
from tests.support_admin import admin, check_app_password, mfa_status
from tests.support_api import Api, User

pytestmark = pytest.mark.e2e

GROUPS_OF_FOUR = re.compile(r"^[a-z]{4}( [a-z]{4}){5}$")


@pytest.fixture
def site_api(base_url: str) -> Iterator[Api]:
    """The API of the page's runtime; the policy is put back as it was when the test ends."""
    client = Api(base_url)
    before = admin(client).call("GET", "/admin/policy").body
    yield client
    assert admin(client).call("PUT", "/admin/policy", before).status == 200


def person(api: Api) -> User:
    return api.user(f"e2e-{uuid.uuid4().hex[:10]}")


def admin_sign_in(page: Page) -> None:
    sign_in(page, route="/admin.html", admin=True, prefix="admin")
    expect(page.get_by_role("heading", name="Security info administration", level=1)).to_be_visible()


def verify_identity(page: Page, user: User, secret: str) -> None:
    step_up = page.get_by_test_id("step-up-dialog")
    expect(step_up.get_by_role("heading", name="Verify your identity")).to_be_visible()
    step_up.get_by_label("Code").fill(user.code(secret))
    step_up.get_by_role("button", name="Verify").click()
    expect(step_up).to_have_count(0)


def test_an_app_password_from_the_admins_switch_to_the_sign_in_check_and_delete(
    page: Page, site_api: Api
) -> None:
    api = site_api
    admin_sign_in(page)
    policy = page.get_by_test_id("policy-form")
    policy.get_by_label("Allow app passwords").check()
    policy.get_by_role("button", name="Save policy").click()
    expect(page.get_by_test_id("status-message")).to_contain_text("The policy was saved.")

    user = person(api)
    sign_in(page, user.username)
    section = page.get_by_test_id("app-passwords")
    expect(section.get_by_role("heading", name="App passwords")).to_be_visible()
    expect(section).to_contain_text("up to 40 app passwords (0 used)")
    section.get_by_role("button", name="Create app password").click()
    dialog = page.get_by_test_id("app-password-dialog")
    dialog.get_by_label("Name").fill("Outlook 2010")
    dialog.get_by_role("button", name="Next").click()
    shown = dialog.get_by_test_id("app-password-value")
    expect(shown).to_have_text(GROUPS_OF_FOUR)
    expect(dialog).to_contain_text("only time the password is shown")
    password = shown.inner_text().replace(" ", "")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)

    rows = section.get_by_test_id("app-password-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Outlook 2010")
    expect(rows.first).to_contain_text("Not used yet")
    expect(page.locator("body")).not_to_contain_text(password)
    assert check_app_password(api, user.user_id, password).body == {"valid": True}

    # 39 more from elsewhere: the page explains the limit and offers no 41st.
    for i in range(39):
        assert user.call("POST", "/me/app-passwords", {"name": f"App {i}"}).status == 201
    page.reload()
    expect(rows).to_have_count(40)
    expect(section.get_by_test_id("app-passwords-usage")).to_contain_text("40 of 40")
    expect(section.get_by_test_id("app-passwords-usage")).to_contain_text("Delete one")
    expect(section.get_by_role("button", name="Create app password")).to_be_disabled()

    first = rows.filter(has_text="Outlook 2010")
    expect(first).to_contain_text("Last used")
    first.get_by_role("button", name="Delete app password Outlook 2010").click()
    confirm = page.get_by_test_id("delete-app-password-dialog")
    expect(confirm).to_contain_text("stop working")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("status-message")).to_contain_text("was deleted")
    expect(rows).to_have_count(39)
    expect(section.get_by_role("button", name="Create app password")).to_be_enabled()
    assert check_app_password(api, user.user_id, password).body == {"valid": False}


def test_dont_ask_again_skips_the_second_step_until_the_devices_are_forgotten(
    page: Page, site_api: Api
) -> None:
    api = site_api
    user = person(api)
    _, secret = user.add_totp()
    sign_in(page, user.username, route="/#/try-sign-in")
    panel = page.get_by_test_id("try-sign-in-panel")
    panel.get_by_role("button", name="Start sign-in").click()
    remember = panel.get_by_label("Don't ask again for 90 days")
    remember.check()
    panel.get_by_label("Code").fill(user.code(secret))
    panel.get_by_role("button", name="Verify").click()
    expect(panel.get_by_test_id("try-approved")).to_contain_text("will not be asked again")

    # The next sign-in on this device: no second step.
    panel.get_by_role("button", name="Try again").click()
    panel.get_by_role("button", name="Start sign-in").click()
    expect(panel.get_by_test_id("try-remembered")).to_contain_text("the second step was skipped")

    page.get_by_test_id("nav-security-info").click()
    devices = page.get_by_test_id("remembered-devices")
    expect(devices.get_by_test_id("remembered-row")).to_have_count(1)
    expect(devices.get_by_test_id("remembered-name")).to_have_text("Chrome on Linux")
    devices.get_by_role("button", name="Forget MFA on remembered devices").click()
    page.get_by_test_id("forget-devices-dialog").get_by_role("button", name="Forget").click()
    verify_identity(page, user, secret)
    expect(page.get_by_test_id("status-message")).to_contain_text("asked again")
    expect(devices.get_by_test_id("no-remembered-devices")).to_be_visible()

    # Asked again.
    page.get_by_test_id("nav-try-sign-in").click()
    panel.get_by_role("button", name="Start sign-in").click()
    expect(panel.get_by_label("Code")).to_be_visible()
    expect(panel.get_by_test_id("try-remembered")).to_have_count(0)


def test_the_admin_clears_a_user_who_is_asked_to_register_again(page: Page, site_api: Api) -> None:
    api = site_api
    user = person(api)
    user.add_totp()
    assert mfa_status(api, user.user_id)["defaultMethod"] is not None

    admin_sign_in(page)
    users = page.get_by_test_id("users-card")
    users.get_by_label("User ID").fill(user.username)
    users.get_by_role("button", name="Look up").click()
    panel = users.get_by_test_id("user-panel")
    expect(panel.get_by_test_id("user-id")).to_have_text(user.user_id)
    expect(panel.get_by_test_id("user-method")).to_have_count(1)

    panel.get_by_role("button", name="Issue temporary access pass").click()
    tap = page.get_by_test_id("tap-dialog")
    tap.get_by_role("button", name="Issue").click()
    expect(tap.get_by_test_id("tap-value")).to_be_visible()
    tap.get_by_role("button", name="Done").click()
    expect(panel.get_by_test_id("user-tap")).to_contain_text("single use")

    panel.get_by_role("button", name="Require re-registration").click()
    page.get_by_test_id("admin-confirm-dialog").get_by_role("button", name="Clear security info").click()
    expect(page.get_by_test_id("status-message")).to_contain_text("register again")
    expect(panel.get_by_test_id("user-no-methods")).to_be_visible()
    expect(panel.get_by_test_id("user-registration")).to_contain_text("Must register at next sign-in")

    # At their next sign-in the user is asked to set up their security info again.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, user.username, route="/")
    expect(page.get_by_text("Keep your account secure").first).to_be_visible()


def test_the_admin_page_puts_a_policy_error_by_its_field_and_tells_a_typo_from_a_user(
    page: Page, site_api: Api
) -> None:
    admin_sign_in(page)
    policy = page.get_by_test_id("policy-form")
    days = policy.get_by_label("Remember devices for (days)")
    days.fill("1000")
    policy.get_by_role("button", name="Save policy").click()
    # The reason sits with the field, in the words of the page; the line by Save points to it.
    inline = policy.get_by_test_id("policy-field-error")
    expect(inline).to_have_text("Use a whole number from 0 to 365.")
    expect(days).to_have_attribute("aria-invalid", "true")
    expect(days).to_be_focused()
    box = inline.bounding_box()
    field_box = days.bounding_box()
    assert box is not None and field_box is not None and abs(box["y"] - field_box["y"]) < 120
    bottom = policy.get_by_test_id("policy-error")
    expect(bottom).to_contain_text("Remember devices for (days)")
    expect(policy).not_to_contain_text("rememberDeviceDays")
    days.fill("90")
    policy.get_by_role("button", name="Save policy").click()
    expect(page.get_by_test_id("status-message")).to_contain_text("The policy was saved.")
    expect(policy.get_by_test_id("policy-field-error")).to_have_count(0)

    # A made-up id is said to be unknown, not drawn as an empty record.
    users = page.get_by_test_id("users-card")
    users.get_by_label("User ID").fill("u-made-up-by-mistake")
    users.get_by_role("button", name="Look up").click()
    # (locally a name is first made into the id the demo provider would give it)
    expect(users.get_by_test_id("user-unknown")).to_contain_text("No security info for u-")
    expect(users.get_by_test_id("user-unknown")).to_contain_text("Check the ID for a typo.")
    expect(users.get_by_test_id("user-panel")).to_have_count(0)
