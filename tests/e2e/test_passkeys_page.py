"""In Chromium with its virtual authenticator (DevTools WebAuthn domain, resident keys): add a passkey
on the Security info page, see its model ("Chromium virtual authenticator", from its AAGUID) and
"passkey · device-bound" (or "synced" for a backup-eligible one) in the list, and sign in with it on
the Try sign-in page, without a username, through the sign-in service's passwordless check; an
administrator blocks that model on the admin page and the next passkey is refused, saying why.

Like the security key tests, the pages are opened at ``http://localhost:<port>`` (WebAuthn needs the
RP id to match the page) and that origin is allowed for the module.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import STEP_TIMEOUT_MS
from tests.e2e.signin import script_token
from tests.e2e.signin import sign_in as oidc_sign_in
from tests.support_admin import admin
from tests.support_api import Api

pytestmark = pytest.mark.e2e
WAIT = STEP_TIMEOUT_MS
CHROMIUM_VIRTUAL = "01020304-0506-0708-0102-030405060708"  # kDeviceAaguid (aaguids.json)


def passkey_authenticator(context: BrowserContext, page: Page, *, synced: bool = False) -> tuple[Any, str]:
    """A platform authenticator that keeps resident keys (a passkey provider), with a PIN/biometric."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options: dict[str, Any] = {
        "protocol": "ctap2",
        "ctap2Version": "ctap2_1",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    if synced:
        options.update({"defaultBackupEligibility": True, "defaultBackupState": True})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, added["authenticatorId"]


def add_passkey(page: Page, name: str) -> Any:
    page.get_by_test_id("add-method").click()
    dialog = page.get_by_test_id("add-method-dialog")
    dialog.get_by_label("Which method would you like to add?").select_option("securityKey")
    dialog.get_by_role("button", name="Add", exact=True).click()
    dialog.get_by_test_id("key-kind-passkey").check()
    dialog.get_by_label("Name this security key").fill(name)
    dialog.get_by_test_id("key-next").click()
    expect(dialog.get_by_test_id("key-success")).to_be_visible(timeout=WAIT)
    expect(dialog.get_by_test_id("key-success")).to_contain_text("Your passkey was registered", timeout=WAIT)
    dialog.get_by_test_id("key-done").click()
    return page.get_by_test_id("method-row").filter(has_text=name)


def test_add_a_passkey_see_its_model_and_sign_in_with_it_without_a_username(
    local_context: BrowserContext, local_url: str
) -> None:
    errors: list[str] = []
    page = local_context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp, authenticator = passkey_authenticator(local_context, page)
    oidc_sign_in(page)
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible(timeout=WAIT)

    row = add_passkey(page, "Laptop passkey")
    expect(row).to_have_attribute("data-method-type", "securityKey", timeout=WAIT)
    # What the service recorded is what the list shows: the model, passkey, device-bound.
    api = Api(local_url)
    token = script_token(page)
    [method] = api.call("GET", "/me/security-info", token=token).body["methods"]
    assert method["passkey"] is True and method["synced"] is False
    assert method["model"] == "Chromium virtual authenticator", method
    expect(row.get_by_test_id("method-detail")).to_have_text(
        f"{method['model']} \u00b7 passkey \u00b7 device-bound"
    )
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert credential["isResidentCredential"] is True

    # Try sign-in: "Sign in with a passkey" asks the sign-in service for usernameless options.
    page.goto("/#/try-sign-in")
    page.get_by_test_id("try-passkey").click()
    approved = page.get_by_test_id("try-passkey-approved")
    expect(approved).to_be_visible(timeout=WAIT)
    expect(approved).to_contain_text("Laptop passkey")
    expect(approved).to_contain_text("Your PIN or biometric was checked.")
    after = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert after[0]["signCount"] > credential["signCount"]
    assert errors == []


def test_a_synced_passkey_shows_as_synced(local_context: BrowserContext) -> None:
    errors: list[str] = []
    page = local_context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    passkey_authenticator(local_context, page, synced=True)
    oidc_sign_in(page)
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible(timeout=WAIT)
    row = add_passkey(page, "Phone passkey")
    expect(row.get_by_test_id("method-detail")).to_contain_text("passkey \u00b7 synced", timeout=WAIT)
    assert errors == []


def test_an_administrator_blocks_a_model_and_the_key_is_refused_saying_why(
    local_context: BrowserContext, local_url: str
) -> None:
    api = Api(local_url)
    before = admin(api).call("GET", "/admin/policy").body
    errors: list[str] = []
    page = local_context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        oidc_sign_in(page, route="/admin.html", admin=True, prefix="admin")
        form = page.get_by_test_id("policy-form")
        rules = form.get_by_test_id("policy-security-key")
        rules.get_by_label("Blocked key models (AAGUIDs, one per line)").fill(CHROMIUM_VIRTUAL.upper())
        rules.get_by_label("Allow synced passkeys (password managers, phones)").uncheck()
        form.get_by_role("button", name="Save policy").click()
        expect(page.get_by_test_id("status-message")).to_contain_text("The policy was saved.", timeout=WAIT)
        saved = admin(api).call("GET", "/admin/policy").body["securityKey"]
        assert saved["blockedAaguids"] == [CHROMIUM_VIRTUAL] and saved["allowSynced"] is False
        # A rule the server refuses is explained beside its field, by the field's label.
        rules.get_by_label("Attestation").select_option("required")
        form.get_by_role("button", name="Save policy").click()
        expect(page.get_by_test_id("policy-error")).to_contain_text(
            "Fix \u201cTrusted root certificates (PEM)\u201d", timeout=WAIT
        )
        expect(form.get_by_test_id("policy-field-error")).to_be_visible()
        expect(form).not_to_contain_text("securityKey.trustedRoots")

        passkey_authenticator(local_context, page)
        oidc_sign_in(page)
        expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible(timeout=WAIT)
        page.get_by_test_id("add-method").click()
        dialog = page.get_by_test_id("add-method-dialog")
        dialog.get_by_label("Which method would you like to add?").select_option("securityKey")
        dialog.get_by_role("button", name="Add", exact=True).click()
        dialog.get_by_test_id("key-kind-passkey").check()
        dialog.get_by_label("Name this security key").fill("Blocked passkey")
        dialog.get_by_test_id("key-next").click()
        expect(dialog.get_by_test_id("key-error")).to_contain_text(
            "This key's model is blocked by your organization", timeout=WAIT
        )
    finally:
        assert admin(api).call("PUT", "/admin/policy", before).status == 200
    assert errors == []
