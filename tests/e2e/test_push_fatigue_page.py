"""Push fatigue in Chromium, as the user meets it: someone already sent 5 push requests to their
authenticator app in the last 10 minutes, so the sixth is refused, and both "Try sign-in" and the
wizard's "Verify your identity" say so in words (and how long to wait) instead of failing silently.

The authenticator app is registered, and the 5 pushes are sent, through the API as the same user
(``tests/support_device.py`` plays the phone).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.signin import sign_in
from tests.e2e.test_app_passwords_and_admin_page import person
from tests.integration.test_authenticator_app import add_app
from tests.support_api import Api, User

pytestmark = pytest.mark.e2e

REFUSAL = re.compile(
    r"Too many sign-in requests were sent to your authenticator app\. Try again in \d+ minutes?"
)


def pushed_five_times(api: Api) -> User:
    """A user whose only method is the authenticator app (so the default), pushed 5 times already."""
    user = person(api)
    add_app(api, user)
    for _ in range(5):
        assert user.call("POST", "/me/verifications", {"purpose": "mfa"}).status == 201
    return user


def test_try_sign_in_says_why_the_push_was_not_sent(page: Page, base_url: str) -> None:
    user = pushed_five_times(Api(base_url))
    sign_in(page, user.username)
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    page.get_by_test_id("nav-try-sign-in").click()
    page.get_by_test_id("try-start").click()
    refusal = page.get_by_test_id("try-start-error")
    expect(refusal).to_have_text(REFUSAL)
    expect(refusal).to_contain_text("or choose another method")
    # Said once, not twice (the answer's wait and the page's own).
    assert refusal.inner_text().lower().count("try again in") == 1
    expect(page.get_by_test_id("try-retry")).to_be_visible()


def test_the_wizard_says_why_the_push_was_not_sent(page: Page, base_url: str) -> None:
    # The default policy asks for a phone too: signing in opens the wizard, which first asks the
    # user to verify with the app they have, and that push is the sixth.
    user = pushed_five_times(Api(base_url))
    sign_in(page, user.username, route="/")
    expect(page.get_by_role("heading", name="Keep your account secure")).to_be_visible()
    step_up = page.get_by_test_id("step-up-dialog")
    expect(step_up.get_by_role("heading", name="Verify your identity")).to_be_visible()
    refusal = step_up.get_by_test_id("step-up-start-error")
    expect(refusal).to_have_text(REFUSAL)
    assert refusal.inner_text().lower().count("try again in") == 1
