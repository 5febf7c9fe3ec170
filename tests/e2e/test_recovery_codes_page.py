"""Recovery codes as a person uses them in the browser: create a set on Security info after
"Verify your identity", see the ten codes once, copy them, download them as a text file, sign in
with one on "Try sign-in", and see "9 of 10 left"; used down to 3, the page warns that they are low.

The TOTP app a person would have set up earlier is registered through the API as the same user.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_app_passwords_and_admin_page import person, sign_in, verify_identity
from tests.support_api import Api

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def test_create_copy_download_and_use_a_recovery_code(
    page: Page, context: BrowserContext, base_url: str, tmp_path: Path
) -> None:
    api = Api(base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    user = person(api)
    _, secret = user.add_totp()
    sign_in(page, user.username)

    section = page.get_by_test_id("recovery-codes")
    expect(section.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(section.get_by_test_id("no-recovery-codes")).to_be_visible()
    section.get_by_role("button", name="Create recovery codes").click()
    verify_identity(page, user, secret)

    dialog = page.get_by_test_id("recovery-codes-dialog")
    codes = dialog.get_by_test_id("recovery-code")
    expect(codes).to_have_count(10)
    shown = [c.strip() for c in codes.all_inner_texts()]
    assert all(CODE.fullmatch(c) for c in shown) and len(set(shown)) == 10
    expect(dialog.get_by_test_id("recovery-codes-once")).to_contain_text("only time the codes are shown")

    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").split("\n") == shown

    with page.expect_download() as waiting:
        dialog.get_by_role("button", name="Download").click()
    download = waiting.value
    assert download.suggested_filename == "recovery-codes.txt"
    saved = tmp_path / "codes.txt"
    download.save_as(saved)
    assert [line for line in saved.read_text().splitlines() if CODE.fullmatch(line)] == shown
    expect(dialog.get_by_role("button", name="Print")).to_be_visible()

    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    expect(section.get_by_test_id("recovery-codes-left")).to_have_text("10 of 10 left")
    # The codes are gone from the page once the dialog is closed.
    assert shown[0] not in page.content()

    # Sign in with a recovery code (typed in lower case, without the dash).
    page.get_by_test_id("nav-try-sign-in").click()
    page.get_by_test_id("try-start").click()
    page.get_by_test_id("try-method").select_option(label="Recovery codes")
    page.get_by_test_id("try-input").fill(shown[0].replace("-", "").lower())
    page.get_by_test_id("try-submit").click()
    expect(page.get_by_test_id("try-approved")).to_be_visible()

    page.goto("/#/security-info")
    expect(page.get_by_test_id("recovery-codes-left")).to_have_text("9 of 10 left")
    expect(page.get_by_test_id("recovery-codes-low")).to_have_count(0)

    # Used down to 3 (elsewhere): the page warns that they are running low.
    method_id = next(m["id"] for m in user.info()["methods"] if m["type"] == "recoveryCodes")
    for code in shown[1:7]:
        started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": method_id})
        assert (
            user.call("POST", f"/me/verifications/{started.body['verificationId']}", {"code": code}).status
            == 200
        )
    page.reload()
    expect(page.get_by_test_id("recovery-codes-left")).to_have_text("3 of 10 left")
    expect(page.get_by_test_id("recovery-codes-low")).to_contain_text("Only 3 left")
