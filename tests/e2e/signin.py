"""Signing in as a person does: the pages send the browser to the local OpenID provider
(``/local/oidc``), the person types a username there (and ticks "administrator"), and the
provider sends the browser back with a code that the page redeems (PKCE) for tokens in memory.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

AUTHORIZE = re.compile(r"/local/oidc/authorize\?")


def sign_in(
    page: Page, username: str | None = None, *, route: str = "/#/security-info", admin: bool = False,
    prefix: str = "e2e",
) -> str:  # fmt: skip
    """Sign in at ``route`` through the provider's page; returns the username."""
    username = username or f"{prefix}-{uuid.uuid4().hex[:10]}"
    # Another person now: the provider's sign-in session (a cookie) of the one before must not
    # sign this one in silently.
    page.context.clear_cookies()
    page.goto(route)
    # A page signed out of in this tab says so first and offers to sign in.
    signed_out = page.get_by_test_id("signed-out-sign-in")
    expect(signed_out.or_(page.get_by_label("Username"))).to_be_visible()
    if signed_out.is_visible():
        signed_out.click()
    page.wait_for_url(AUTHORIZE)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(username)
    if admin:
        page.get_by_label("Sign in as an administrator").check()
    page.get_by_role("button", name="Sign in").click()
    # Back on the page, with the code already taken out of the address.
    page.wait_for_url(lambda url: "/local/oidc/" not in url and "code=" not in url)
    return username


def script_token(page: Page) -> str:
    """A token for the person signed in on ``page``, for a test's own API calls.

    The page's tokens are in its memory only, out of a test's reach as out of any script's; the
    same username gets the same user from ``/local/token``.
    """
    username = page.get_by_test_id("current-user").locator(".user-name").inner_text()
    answer = page.request.post("/local/token", data={"username": username})
    assert answer.ok, answer.text()
    return str(answer.json()["accessToken"])
