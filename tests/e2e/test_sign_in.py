"""Signing in to the pages with OpenID Connect (authorization code + PKCE) at the local provider,
as in AWS against the organization's: tokens in memory only, reload, sign-out, an expired token.

One test moves the service clock a day forward (past the tokens' lifetime); the others sign in
afresh, so they do not mind.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from local.tokens import TOKEN_LIFETIME_SECONDS
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.signin import AUTHORIZE

pytestmark = pytest.mark.e2e

STORAGE = "JSON.stringify({local: {...localStorage}, session: {...sessionStorage}, cookie: document.cookie})"


def sign_in_watching_tokens(
    page: Page, username: str, route: str = "/#/security-info", *, admin: bool = False
) -> dict:
    """Sign in through the provider's page; the token endpoint's answer as the page received it."""
    page.context.clear_cookies()
    page.goto(route)
    page.wait_for_url(AUTHORIZE)
    # What the page asked for: the code flow with an S256 challenge.
    asked = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) == 43 and asked["state"] and asked["nonce"]
    page.get_by_label("Username").fill(username)
    if admin:
        page.get_by_label("Sign in as an administrator").check()
    with page.expect_response(lambda r: r.url.endswith("/local/oidc/token")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.ok
    return dict(answer.value.json())


def test_sign_in_keeps_the_tokens_in_memory_only_and_a_reload_comes_back(page: Page) -> None:
    username = f"oidc-{uuid.uuid4().hex[:8]}"
    tokens = sign_in_watching_tokens(page, username)
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    assert "code=" not in page.url and "state=" not in page.url
    assert page.url.endswith("/#/security-info")

    stored = page.evaluate(STORAGE)
    for token in (tokens["access_token"], tokens["id_token"]):
        assert token not in stored
    assert "eyJ" not in stored  # no JWT of any kind
    assert json.loads(stored)["session"] == {} or "verifier" not in stored

    # A reload loses the tokens; the provider's session signs the page in again without a form.
    page.reload()
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    assert "eyJ" not in page.evaluate(STORAGE)


def test_sign_out_ends_the_providers_session_too(page: Page) -> None:
    username = f"oidc-{uuid.uuid4().hex[:8]}"
    sign_in_watching_tokens(page, username)
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    page.get_by_role("button", name="Sign out").click()
    card = page.get_by_test_id("signed-out")
    expect(card.get_by_role("heading", name="You signed out")).to_be_visible()
    page.reload()
    expect(card).to_be_visible()  # still signed out: no silent sign-in
    assert "eyJ" not in page.evaluate(STORAGE)
    card.get_by_role("button", name="Sign in").click()
    # The provider asks again: its session ended with the page's.
    page.wait_for_url(AUTHORIZE)
    expect(page.get_by_label("Username")).to_be_visible()


def test_the_sign_in_page_asks_for_a_username(page: Page) -> None:
    page.context.clear_cookies()
    page.goto("/")
    page.wait_for_url(AUTHORIZE)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Sign in as an administrator")).not_to_be_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "oidc-sign-in.png"), full_page=True)
    page.get_by_role("button", name="Sign in").click()  # empty: the browser's required check
    page.get_by_label("Username").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a username")


def test_an_administrator_signs_in_to_the_admin_page(page: Page) -> None:
    sign_in_watching_tokens(page, f"oidc-admin-{uuid.uuid4().hex[:6]}", "/admin.html", admin=True)
    expect(page.get_by_role("heading", name="Security info administration", level=1)).to_be_visible()
    expect(page.get_by_test_id("policy-form")).to_be_visible()


def test_an_expired_token_shows_a_clear_page_and_signing_in_again_continues(page: Page) -> None:
    username = f"oidc-{uuid.uuid4().hex[:8]}"
    sign_in_watching_tokens(page, username)
    expect(page.get_by_test_id("security-info-view")).to_be_visible()
    expect(page.get_by_test_id("load-error")).to_have_count(0)

    assert page.request.post("/local/clock", data={"advanceSeconds": TOKEN_LIFETIME_SECONDS + 60}).ok
    # Go to "Try sign-in": its first request is refused for the expired token. (Not a click on the
    # nav link: a request the page was already making may see the expiry first and replace the
    # page with the card, taking the link away.)
    page.evaluate("window.location.hash = '#/try-sign-in'")

    card = page.get_by_test_id("session-expired")
    expect(card.get_by_role("heading", name="Your session has expired")).to_be_visible()
    expect(card.get_by_role("alert")).to_contain_text("Sign in again")
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "oidc-session-expired.png"), full_page=True)

    card.get_by_role("button", name="Sign in again").click()
    # Back where the person was, signed in as before (the provider's session outlives the token).
    expect(page.get_by_test_id("current-user")).to_contain_text(username)
    expect(page.get_by_role("heading", name="Try sign-in", level=1)).to_be_visible()
    assert page.url.endswith("/#/try-sign-in")
