"""Password reset (sspr) with the policy's number of distinct methods: email codes and security
questions, which serve password reset only, next to a phone that serves both."""

from __future__ import annotations

from typing import Any

from tests.support_admin import policy_changed
from tests.support_api import Api, User
from tests.support_codes import (
    QUESTION_ANSWERS,
    add_email,
    add_phone,
    add_questions,
    delivered_to,
    new_address,
    new_number,
    step_up_by_phone,
    verify_by_code,
)


def _answer_questions(user: User, method_id: str) -> Any:
    started = user.call("POST", "/me/verifications", {"purpose": "sspr", "methodId": method_id})
    assert started.status == 201, started.body
    asked = [q["questionId"] for q in started.body["challenge"]["questions"]]
    answers = [{"questionId": q, "answer": QUESTION_ANSWERS[q].upper()} for q in asked]
    return user.call("POST", f"/me/verifications/{started.body['verificationId']}", {"answers": answers})


def test_reset_with_one_method(api: Api) -> None:
    user = api.user()
    address = new_address()
    email = add_email(user, address)
    answer = verify_by_code(user, "sspr", email["id"], delivered_to(address))
    assert answer.status == 200, answer.body
    assert answer.body["ssprComplete"] is True
    assert "stepUpToken" not in answer.body


def test_reset_with_two_methods_needs_two_distinct_ones(api: Api) -> None:
    user = api.user()
    address = new_address()
    email = add_email(user, address)
    questions = add_questions(user)
    with policy_changed(api, {"ssprMethodsRequired": 2}):
        first = verify_by_code(user, "sspr", email["id"], delivered_to(address))
        assert first.status == 200, first.body
        assert first.body["ssprComplete"] is False and first.body["ssprMethodsRemaining"] == 1
        # The same method again is still one method.
        api.advance(31)
        again = verify_by_code(user, "sspr", email["id"], delivered_to(address))
        assert again.status == 200 and again.body["ssprComplete"] is False, again.body
        second = _answer_questions(user, questions["id"])
        assert second.status == 200, second.body
        assert second.body["ssprComplete"] is True
        # The reset is over: the next one starts from nothing.
        third = _answer_questions(user, questions["id"])
        assert third.status == 200 and third.body["ssprComplete"] is False, third.body


def test_a_reset_session_expires(api: Api) -> None:
    user = api.user()
    address = new_address()
    email = add_email(user, address)
    questions = add_questions(user)
    with policy_changed(api, {"ssprMethodsRequired": 2}):
        assert verify_by_code(user, "sspr", email["id"], delivered_to(address)).body["ssprComplete"] is False
        api.advance(16 * 60)
        late = _answer_questions(user, questions["id"])
        assert late.status == 200 and late.body["ssprComplete"] is False, late.body


def test_a_phone_serves_both_purposes_and_mfa_approvals_do_not_count_for_reset(api: Api) -> None:
    user = api.user()
    number, address = new_number(), new_address()
    phone = add_phone(user, number)
    step_up_by_phone(user, phone["id"], number)
    email = add_email(user, address)
    with policy_changed(api, {"ssprMethodsRequired": 2}):
        api.advance(31)
        signed_in = verify_by_code(user, "mfa", phone["id"], number)
        assert signed_in.status == 200 and "ssprComplete" not in signed_in.body
        api.advance(3600)  # a new hour: five codes went out already
        by_phone = verify_by_code(user, "sspr", phone["id"], number)
        assert by_phone.body["ssprComplete"] is False, by_phone.body
        by_mail = verify_by_code(user, "sspr", email["id"], delivered_to(address))
        assert by_mail.status == 200 and by_mail.body["ssprComplete"] is True, by_mail.body


def test_the_default_method_for_reset_when_none_is_named(api: Api) -> None:
    user = api.user()
    address = new_address()
    email = add_email(user, address)
    started = user.call("POST", "/me/verifications", {"purpose": "sspr"})
    assert started.status == 201 and started.body["methodId"] == email["id"], started.body
    refused = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert refused.status == 400 and refused.error["code"] == "no_method_registered", refused.body
