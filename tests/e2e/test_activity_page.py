"""The "Recent activity" page in Chromium: beside Security info in the navigation, newest first in
words a person reads, a page at a time ("Show more"), and "This wasn't me" on each entry: the entry
shows as reported, the page says the account is at risk, and it stays so after a reload.

The history (an authenticator app and a run of renames) is made through the API as the same user;
what is asserted is what the page shows."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.signin import sign_in
from tests.e2e.test_app_passwords_and_admin_page import admin_sign_in
from tests.support_api import Api, User

pytestmark = pytest.mark.e2e


def _user_with_history(api: Api, renames: int) -> tuple[User, dict[str, str]]:
    user = api.user(f"e2e-{uuid.uuid4().hex[:10]}")
    method, secret = user.add_totp("My phone")
    user.step_up(secret)
    for n in range(1, renames + 1):
        answer = user.call("PATCH", f"/me/methods/{method['id']}", {"displayName": f"Phone {n}"})
        assert answer.status == 200, answer.body
    return user, method


def test_recent_activity_pages_and_this_wasnt_me(page: Page, base_url: str) -> None:
    api = Api(base_url)
    # An app (added, made default), a step-up and 20 renames: 23 entries, more than one page of 20.
    user, _ = _user_with_history(api, renames=20)

    sign_in(page, user.username, route="/#/recent-activity")

    expect(page.get_by_role("heading", name="Recent activity", level=1)).to_be_visible()
    nav = page.get_by_test_id("nav-recent-activity")
    expect(nav).to_have_attribute("aria-current", "page")
    rows = page.get_by_test_id("activity-row")
    expect(rows).to_have_count(20)
    first = rows.first
    expect(first.get_by_test_id("activity-summary")).to_have_text(
        "Your authenticator app was renamed to \u201cPhone 20\u201d."
    )
    expect(first.get_by_test_id("activity-method")).to_have_text("Authenticator app: Phone 20")
    expect(first.get_by_test_id("activity-meta")).to_contain_text("You")
    expect(first.get_by_test_id("activity-meta")).to_contain_text("IP 127.0.0.1")

    page.get_by_role("button", name="Show more").click()
    expect(rows).to_have_count(23)
    expect(page.get_by_role("button", name="Show more")).to_have_count(0)
    expect(rows.last.get_by_test_id("activity-summary")).to_have_text("An authenticator app was added.")
    expect(page.get_by_test_id("at-risk")).to_have_count(0)

    # "This wasn't me" on the oldest rename.
    suspicious = rows.nth(19)
    expect(suspicious.get_by_test_id("activity-summary")).to_contain_text("\u201cPhone 1\u201d")
    suspicious.get_by_role("button", name="This wasn't me").click()
    dialog = page.get_by_test_id("report-dialog")
    expect(dialog.get_by_role("heading", name="Report activity that wasn't you")).to_be_visible()
    dialog.get_by_role("button", name="Report").click()
    expect(dialog).to_have_count(0)
    expect(suspicious.get_by_test_id("activity-reported")).to_have_text("Reported")
    expect(suspicious.get_by_role("button", name="This wasn't me")).to_have_count(0)
    expect(page.get_by_test_id("at-risk")).to_contain_text("You reported activity that wasn't you.")
    assert user.info()["riskState"] == "atRisk"

    # After a reload: the report is the newest activity (made from this browser), and it stays reported.
    page.reload()
    expect(page.get_by_test_id("at-risk")).to_be_visible()
    reported = page.locator("[data-testid=activity-row][data-activity-type=SuspiciousActivityReported]")
    expect(reported.get_by_test_id("activity-summary")).to_have_text(
        "You reported activity that wasn't you; your administrators were alerted."
    )
    expect(reported.get_by_test_id("activity-meta")).to_contain_text("Chrome on Linux")
    page.get_by_role("button", name="Show more").click()  # the two new entries moved it to page 2
    expect(rows).to_have_count(25)
    expect(page.get_by_test_id("activity-reported")).to_have_count(1)

    # Beside Security info: the navigation goes there and back.
    page.get_by_test_id("nav-security-info").click()
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    page.get_by_test_id("nav-recent-activity").click()
    expect(page.get_by_role("heading", name="Recent activity", level=1)).to_be_visible()


def test_a_user_with_no_history_sees_an_empty_list(page: Page, base_url: str) -> None:
    username = f"e2e-{uuid.uuid4().hex[:10]}"
    sign_in(page, username, route="/#/recent-activity")
    expect(page.get_by_test_id("no-activity")).to_have_text("Nothing has happened on your account recently.")
    expect(page.get_by_role("button", name="Show more")).to_have_count(0)


def test_an_administrator_sees_the_report_and_dismisses_it(page: Page, base_url: str) -> None:
    api = Api(base_url)
    user, _ = _user_with_history(api, renames=1)
    entry = user.call("GET", "/me/activity").body["activity"][0]
    assert user.call("POST", f"/me/activity/{entry['id']}/report").body == {"riskState": "atRisk"}

    admin_sign_in(page)
    users = page.get_by_test_id("users-card")
    users.get_by_label("User ID").fill(user.username)
    users.get_by_role("button", name="Look up").click()
    panel = users.get_by_test_id("user-panel")
    expect(panel.get_by_test_id("user-risk")).to_contain_text("At risk")
    rows = panel.get_by_test_id("user-activity-row")
    expect(rows.filter(has_text=re.compile("^You reported activity"))).to_have_count(1)
    expect(panel.get_by_test_id("user-activity-row").filter(has_text="(reported)")).to_have_count(1)

    panel.get_by_role("button", name="Dismiss risk").click()
    page.get_by_test_id("admin-confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(panel.get_by_test_id("user-risk")).to_have_text("None")
    expect(panel.get_by_role("button", name="Dismiss risk")).to_be_disabled()
    assert user.info()["riskState"] == "none"
