"""Hardware OATH tokens in the browser: the administrator uploads a CSV file (the common "serial,
secret, manufacturer, model, digits, period, hash" layout, with its header line) on the admin page
and assigns a token; the user adds it under Security info with its serial number and the code it
shows, and the administrator's list shows it activated."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.signin import sign_in
from tests.support_admin import admin
from tests.support_api import Api
from tests.support_tokens import new_token, upload

pytestmark = pytest.mark.e2e

WAIT = 15_000


def token_row(page: Page, serial: str) -> Locator:
    """The token's row of the list, asking for more pages while it is not shown (other tests of
    the session upload tokens too: the list shows 100 at a time, by serial number)."""
    card = page.get_by_test_id("hwtokens-card")
    row = card.locator(f"[data-testid=hwtoken-row][data-serial='{serial}']")
    expect(card.get_by_test_id("hwtokens-table").or_(card.get_by_test_id("hwtokens-empty"))).to_be_visible(
        timeout=WAIT
    )
    more = card.get_by_test_id("hwtokens-more")
    while row.count() == 0 and more.is_visible():
        count = card.get_by_test_id("hwtoken-row").count()
        more.click()
        expect(card.get_by_test_id("hwtoken-row")).not_to_have_count(count, timeout=WAIT)
    return row


def test_the_admin_uploads_a_csv_and_a_user_claims_a_token(page: Page, base_url: str, tmp_path: Path) -> None:
    api = Api(base_url)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    six = new_token()
    eight = new_token(digits=8, hash_function="sha256", manufacturer="Fabrikam", model="K8")
    csv = tmp_path / "tokens.csv"
    csv.write_text(
        "serial,secret,manufacturer,model,digits,period,hash\n"
        f"{six.serial},{six.secret},Contoso,TOTP-6,6,30,SHA1\n"
        f"{eight.serial},{eight.secret.lower()},Fabrikam,K8,8,30,SHA-256\n",
        encoding="utf-8",
    )

    # A full first page of tokens that sort before these, so the page's "Show more" is used too.
    filler = [new_token(serial=f"A{uuid.uuid4().hex[:12].upper()}") for _ in range(100)]
    assert upload(admin(api), *filler).status == 201

    sign_in(page, route="/admin.html", admin=True, prefix="admin")
    card = page.get_by_test_id("hwtokens-card")
    expect(card.get_by_role("heading", name="Hardware tokens")).to_be_visible(timeout=WAIT)
    # A bad line is refused with its line number before anything is kept.
    card.get_by_label("Or paste the lines").fill(f"{six.serial},{six.secret},Contoso,TOTP-6,7,30,sha1")
    card.get_by_role("button", name="Upload tokens").click()
    expect(card.get_by_test_id("hwtokens-upload-error")).to_contain_text("Line 1 (digits)", timeout=WAIT)

    card.get_by_label("CSV file").set_input_files(str(csv))
    expect(card.get_by_label("Or paste the lines")).to_have_value(re.compile(six.serial), timeout=WAIT)
    card.get_by_role("button", name="Upload tokens").click()
    expect(card.get_by_test_id("hwtokens-upload-result")).to_have_text("2 tokens uploaded.", timeout=WAIT)
    row = token_row(page, eight.serial)
    expect(row.get_by_test_id("hwtoken-status")).to_have_text("Available", timeout=WAIT)
    expect(row).to_contain_text("Fabrikam K8")

    # Assign the 8-digit token to a person, by username (the local demo resolves it).
    username = f"e2e-{uuid.uuid4().hex[:10]}"
    row.get_by_role("button", name="Assign").click()
    dialog = page.get_by_test_id("hwtoken-assign-dialog")
    dialog.get_by_label("User ID").fill(username)
    dialog.get_by_role("button", name="Assign").click()
    expect(dialog).to_have_count(0, timeout=WAIT)
    row = token_row(page, eight.serial)  # the list was loaded again
    expect(row.get_by_test_id("hwtoken-status")).to_have_text("Assigned", timeout=WAIT)
    user_id = api.user(username).user_id
    expect(row.get_by_test_id("hwtoken-assigned")).to_have_text(user_id)

    # The person adds it: serial number, then the code the token shows.
    sign_in(page, username)
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible(timeout=WAIT)
    page.get_by_test_id("add-method").click()
    add = page.get_by_test_id("add-method-dialog")
    add.get_by_label("Which method would you like to add?").select_option("hardwareOath")
    add.get_by_role("button", name="Add", exact=True).click()
    add.get_by_label("Serial number").fill(eight.serial)
    add.get_by_role("button", name="Next").click()
    expect(add.get_by_role("heading", name="Enter code")).to_be_visible(timeout=WAIT)
    add.get_by_label("Code").fill(eight.code(api))
    add.get_by_role("button", name="Next").click()
    expect(add.get_by_test_id("hwtoken-success")).to_contain_text(
        "Your hardware token was registered.", timeout=WAIT
    )
    add.get_by_test_id("hwtoken-done").click()
    method = page.get_by_test_id("method-row").filter(has_text="Fabrikam K8")
    expect(method).to_have_attribute("data-method-type", "hardwareOath", timeout=WAIT)
    expect(method.get_by_test_id("method-type")).to_have_text("Hardware token")
    expect(method.get_by_test_id("method-detail")).to_contain_text(f"serial {eight.serial}")

    # The administrator sees it activated.
    sign_in(page, route="/admin.html", admin=True, prefix="admin")
    row = token_row(page, eight.serial)
    expect(row.get_by_test_id("hwtoken-status")).to_have_text("Activated", timeout=WAIT)
    expect(row.get_by_role("button", name="Assign")).to_have_count(0)
    assert not errors, errors
