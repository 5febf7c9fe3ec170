"""Phones, email and security questions on the Security info page, as a person uses them in a
browser: add a mobile phone by text and an office phone by call (codes read from the local outbox,
as a person reads their phone), an email address and security questions; sign in with the phone;
reset the password with the email code and the questions; change a phone's number."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.signin import script_token
from tests.e2e.signin import sign_in as oidc_sign_in
from tests.support_codes import code_in, new_address, new_number

pytestmark = pytest.mark.e2e

ANSWERS = ["Rex the Dog", "Springfield", "Oak Street School"]


def sign_in(page: Page) -> str:
    username = oidc_sign_in(page, prefix="e2e-phone")
    expect(page.get_by_role("heading", name="Security info", level=1)).to_be_visible()
    return username


def latest_code(page: Page, to: str) -> str:
    """What the person reads on their phone or in their inbox (the local outbox)."""
    answer = page.request.get(f"/local/outbox?to={urllib.parse.quote(to)}")
    assert answer.ok, answer.text()
    for message in answer.json()["messages"]:
        code = code_in(message)
        if code:
            return code
    raise AssertionError(f"no code sent to {to}")


def start_adding(page: Page, type_name: str) -> Locator:
    page.get_by_test_id("add-method").click()
    dialog = page.get_by_test_id("add-method-dialog")
    dialog.get_by_label("Which method would you like to add?").select_option(type_name)
    dialog.get_by_role("button", name="Add", exact=True).click()
    return dialog


def add_phone(page: Page, number: str, kind: str, channel_label: str) -> None:
    dialog = start_adding(page, "phone")
    dialog.get_by_label("What kind of phone is it?").select_option(kind)
    # The number as people type it; the page sends it in E.164.
    dialog.get_by_label("Phone number").fill(f"{number[:2]} ({number[2:5]}) {number[5:8]}-{number[8:]}")
    dialog.get_by_label(channel_label).check()
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_role("heading", name="Enter code")).to_be_visible()
    expect(dialog.get_by_test_id("phone-code-sent-to")).to_contain_text(f"+1 ••••••••{number[-2:]}")
    expect(dialog.get_by_test_id("phone-code-resend")).to_be_disabled()  # 30 s before a new code
    dialog.get_by_label("Code").fill(latest_code(page, number))
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_test_id("phone-success")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)


def verify_identity_by_phone(page: Page, number: str) -> None:
    step_up = page.get_by_test_id("step-up-dialog")
    expect(step_up.get_by_role("heading", name="Verify your identity")).to_be_visible()
    expect(step_up.get_by_test_id("step-up-sent-to")).to_contain_text(number[-2:])
    step_up.get_by_label("Code").fill(latest_code(page, number))
    step_up.get_by_role("button", name="Verify").click()
    expect(step_up).to_have_count(0)


def row_of(page: Page, type_name: str) -> Locator:
    return page.locator(f"[data-testid=method-row][data-method-type={type_name}]")


def test_phones_email_and_questions_then_sign_in_and_reset(page: Page) -> None:
    sign_in(page)
    mobile, office, address = new_number(), new_number(), new_address()

    add_phone(page, mobile, "mobile", "Text me a code")
    expect(row_of(page, "phone")).to_have_count(1)
    expect(row_of(page, "phone").get_by_test_id("method-detail")).to_have_text(
        f"Mobile +1 ••••••••{mobile[-2:]} · text"
    )
    expect(row_of(page, "phone").get_by_test_id("default-badge")).to_be_visible()

    # The second method needs the first: the step-up dialog sends a code to the mobile phone.
    dialog = start_adding(page, "phone")
    dialog.get_by_label("What kind of phone is it?").select_option("office")
    expect(dialog.get_by_label("Text me a code (not for this kind of phone)")).to_be_disabled()
    dialog.get_by_label("Phone number").fill(office)
    dialog.get_by_role("button", name="Next").click()
    verify_identity_by_phone(page, mobile)
    expect(dialog.get_by_test_id("phone-code-sent-to")).to_contain_text("We're calling")
    dialog.get_by_label("Code").fill(latest_code(page, office))
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_role("button", name="Done").click()
    expect(row_of(page, "phone")).to_have_count(2)

    # Email: an 8-digit code.
    dialog = start_adding(page, "email")
    dialog.get_by_label("Email address").fill(address)
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_test_id("email-code-sent-to")).to_contain_text("u•••@contoso.com")
    mail_to = address[: address.index("@")] + address[address.index("@") :].lower()
    code = latest_code(page, mail_to)
    assert len(code) == 8
    dialog.get_by_label("Code").fill(code)
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_role("button", name="Done").click()
    expect(row_of(page, "email").get_by_test_id("method-detail")).to_contain_text("password reset only")

    # Security questions: three from the organization's list.
    dialog = start_adding(page, "securityQuestions")
    selects = dialog.get_by_test_id("question-select")
    expect(selects).to_have_count(3)
    for i, answer in enumerate(ANSWERS):
        selects.nth(i).select_option(index=i + 1)
        dialog.get_by_test_id("question-answer").nth(i).fill(answer)
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    expect(row_of(page, "securityQuestions")).to_have_count(1)
    page_text = page.locator("main").inner_text()
    assert mobile not in page_text and office not in page_text and address.lower() not in page_text.lower()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-email-questions.png"), full_page=True)

    # Sign in with the phone (the default).
    page.get_by_test_id("nav-try-sign-in").click()
    page.get_by_test_id("try-start").click()
    expect(page.get_by_test_id("try-sent-to")).to_contain_text(mobile[-2:])
    page.get_by_test_id("try-input").fill(latest_code(page, mobile))
    page.get_by_test_id("try-submit").click()
    expect(page.get_by_test_id("try-approved")).to_be_visible()

    # Reset the password with the email code, then (another run) with the questions. Five codes
    # went out this hour (the most a user gets): an hour later, more may go.
    assert page.request.post("/local/clock", data={"advanceSeconds": 3600}).ok
    page.get_by_test_id("nav-reset-password").click()
    page.get_by_test_id("reset-start").click()
    page.get_by_test_id("reset-method").select_option(label="Email")
    expect(page.get_by_test_id("reset-sent-to")).to_contain_text("u•••@contoso.com")
    page.get_by_test_id("reset-input").fill(latest_code(page, mail_to))
    page.get_by_test_id("reset-submit").click()
    expect(page.get_by_test_id("reset-complete")).to_be_visible()

    page.get_by_test_id("reset-again").click()
    page.get_by_test_id("reset-start").click()
    page.get_by_test_id("reset-method").select_option(label="Security questions")
    questions = page.get_by_test_id("reset-questions")
    expect(questions.get_by_test_id("reset-answer")).to_have_count(3)
    wrong = questions.get_by_test_id("reset-answer")
    for i in range(3):
        wrong.nth(i).fill("not it")
    questions.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("reset-error")).to_contain_text("4 attempts left")
    labels = [questions.locator("label").nth(i).inner_text() for i in range(3)]
    texts = {  # the question texts the page showed, in the order picked above
        text: ANSWERS[i] for i, text in enumerate(_question_texts(page))
    }
    for i, label in enumerate(labels):
        wrong.nth(i).fill(f"  {texts[label].upper()} ")  # case and spacing do not matter
    questions.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("reset-complete")).to_be_visible()


def _question_texts(page: Page) -> list[str]:
    listed = page.request.get("/me/security-questions", headers=_auth(page))
    assert listed.ok, listed.text()
    return [q["text"] for q in listed.json()["questions"][:3]]


def _auth(page: Page) -> dict[str, str]:
    token = script_token(page)
    return {"Authorization": f"Bearer {token}"}


def test_change_a_phone_number_and_resend(page: Page) -> None:
    sign_in(page)
    old, new = new_number(), new_number()
    add_phone(page, old, "mobile", "Text me a code")
    row_of(page, "phone").get_by_test_id("edit-method").click()
    dialog = page.get_by_test_id("edit-dialog")
    dialog.get_by_label("New phone number (optional)").fill(new)
    dialog.get_by_label("Call me").check()
    dialog.get_by_role("button", name="Save").click()
    verify_identity_by_phone(page, old)
    expect(dialog.get_by_role("heading", name="Confirm the new number")).to_be_visible()
    expect(dialog.get_by_test_id("phone-change-code-sent-to")).to_contain_text(new[-2:])
    dialog.get_by_label("Code").fill(latest_code(page, new))
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_have_count(0)
    expect(row_of(page, "phone").get_by_test_id("method-detail")).to_have_text(
        f"Mobile +1 ••••••••{new[-2:]} · call"
    )
