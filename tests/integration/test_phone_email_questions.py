"""Phones (text and call), email and security questions, through the local runtime as a user would:
the codes are read from the local outbox, as a person reads their texts, calls and emails."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.support_api import Api
from tests.support_codes import (
    add_email,
    add_phone,
    add_questions,
    begin_phone,
    code_in,
    delivered_to,
    last_code,
    new_address,
    new_number,
    outbox,
    step_up_by_phone,
    verify_by_code,
    wrong,
)
from tests.support_events import validate_event

MASKED_PHONE = re.compile(r"^\+1 •{8}\d{2}$")


def test_a_mobile_by_text_and_an_office_phone_by_call(api: Api) -> None:
    user = api.user()
    mobile, office = new_number(), new_number()

    begun = begin_phone(user, mobile, "mobile", "sms")
    assert begun.status == 201, begun.body
    assert begun.body["channel"] == "sms"
    assert begun.body["sentTo"] == f"+1 ••••••••{mobile[-2:]}"
    [text] = outbox(api, mobile)
    assert text["channel"] == "sms" and re.match(r"^\d{6} is your ", text["body"])
    done = user.call(
        "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": last_code(api, mobile)}
    )
    assert done.status == 201, done.body
    phone = done.body["method"]
    assert phone["type"] == "phone" and phone["phoneType"] == "mobile" and phone["channel"] == "sms"
    assert MASKED_PHONE.match(phone["phoneNumber"])
    assert phone["isDefault"] is True  # the first method for two-step verification
    assert phone["usableFor"] == ["mfa", "sspr"]

    # The user has a method now: adding another needs a step-up, done with the phone.
    assert begin_phone(user, office, "office").status == 403
    step_up_by_phone(user, phone["id"], mobile)
    begun = begin_phone(user, office, "office")
    assert begun.status == 201, begun.body
    assert begun.body["channel"] == "voice"  # an office phone is called
    [call] = outbox(api, office)
    assert call["channel"] == "voice" and "your code is" in call["body"]
    done = user.call(
        "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": last_code(api, office)}
    )
    assert done.status == 201, done.body
    assert done.body["method"]["phoneType"] == "office" and done.body["method"]["channel"] == "voice"

    info = user.info()
    assert [m["phoneType"] for m in info["methods"]] == ["mobile", "office"]
    text_of_page = json.dumps(info)
    assert mobile not in text_of_page and office not in text_of_page
    assert mobile[2:] not in text_of_page and office[2:] not in text_of_page


def test_sign_in_with_the_phone(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    started = user.call("POST", "/me/verifications", {"purpose": "mfa"})
    assert started.status == 201, started.body
    assert started.body["methodId"] == phone["id"]  # the default
    assert started.body["challenge"] == {"sentTo": phone["phoneNumber"], "channel": "sms"}
    approved = user.call(
        "POST", f"/me/verifications/{started.body['verificationId']}", {"code": last_code(api, number)}
    )
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "approved"


@pytest.mark.parametrize(
    "number",
    [
        "14255550100",
        "+1 425 555 0100",
        "+1425555",
        "+1425abc0100",
        "+9991234567",
        "+0425550100",
        "+1" + "2" * 15,
    ],
)
def test_a_number_that_is_not_e164_is_refused_and_nothing_is_sent(api: Api, number: str) -> None:
    user = api.user()
    answer = begin_phone(user, number)
    assert answer.status == 400, answer.body
    assert answer.error["field"] == "phoneNumber"
    assert outbox(api, number) == []


def test_the_phone_kinds_rules(api: Api) -> None:
    user = api.user()
    first = new_number()
    # An alternate mobile phone needs a mobile phone first.
    refused = begin_phone(user, new_number(), "alternateMobile")
    assert refused.status == 400 and refused.error["code"] == "mobile_phone_required", refused.body
    # Office and alternate mobile phones receive calls only.
    for kind in ("office", "alternateMobile"):
        refused = begin_phone(user, new_number(), kind, "sms")
        assert refused.status == 400 and refused.error["code"] == "channel_not_allowed", refused.body
        assert refused.error["field"] == "channel"
    phone = add_phone(user, first, "mobile", "voice")  # a mobile may take calls
    assert phone["channel"] == "voice"
    step_up_by_phone(user, phone["id"], first)
    # One of each kind.
    second = begin_phone(user, new_number(), "mobile")
    assert second.status == 409 and second.error["code"] == "method_limit", second.body
    # Not the same number twice.
    again = begin_phone(user, first, "office")
    assert again.status == 409 and again.error["code"] == "phone_number_in_use", again.body
    alternate = add_phone(user, new_number(), "alternateMobile")
    assert alternate["channel"] == "voice"


def test_voice_is_preferred_to_text_for_the_default(api: Api) -> None:
    user = api.user()
    mobile, office = new_number(), new_number()
    texted = add_phone(user, mobile)  # sms
    step_up_by_phone(user, texted["id"], mobile)
    called = add_phone(user, office, "office")  # voice
    assert user.call("PUT", "/me/default-method", {"systemPreferred": True}).status == 200
    assert user.info()["defaultMethodId"] == called["id"]


def test_a_wrong_code_uses_a_try_and_the_fifth_ends_the_code(api: Api) -> None:
    user = api.user()
    number = new_number()
    begun = begin_phone(user, number)
    path = f"/me/methods/registrations/{begun.body['registrationId']}"
    code = last_code(api, number)
    for left in (4, 3, 2, 1):
        answer = user.call("POST", path, {"code": wrong(code)})
        assert answer.status == 400, answer.body
        assert answer.error == answer.error | {"code": "invalid_code", "attemptsLeft": left}
    answer = user.call("POST", path, {"code": wrong(code)})
    assert answer.status == 410 and answer.error["code"] == "code_expired", answer.body
    # The right code is no good any more either.
    assert user.call("POST", path, {"code": code}).status in (404, 410)


def test_a_registration_code_lives_ten_minutes(api: Api) -> None:
    user = api.user()
    number = new_number()
    begun = begin_phone(user, number)
    code = last_code(api, number)
    api.advance(601)
    answer = user.call("POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": code})
    assert answer.status == 410, answer.body


def test_a_verification_code_lives_ten_minutes_and_works_once(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    code = last_code(api, number)
    api.advance(590)  # still inside the ten minutes
    path = f"/me/verifications/{started.body['verificationId']}"
    assert user.call("POST", path, {"code": code}).status == 200
    again = user.call("POST", path, {"code": code})
    assert again.status == 410 and again.error["code"] == "verification_finished", again.body

    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    late = last_code(api, number)
    api.advance(601)
    expired = user.call("POST", f"/me/verifications/{started.body['verificationId']}", {"code": late})
    assert expired.status == 410 and expired.error["code"] == "verification_expired", expired.body


def test_a_verification_code_has_five_tries(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    path = f"/me/verifications/{started.body['verificationId']}"
    code = last_code(api, number)
    for left in (4, 3, 2, 1):
        answer = user.call("POST", path, {"code": wrong(code)})
        assert answer.status == 400 and answer.error["attemptsLeft"] == left, answer.body
    answer = user.call("POST", path, {"code": wrong(code)})
    assert answer.status == 410 and answer.error["code"] == "code_expired", answer.body
    assert user.call("POST", path, {"code": code}).status == 410


def test_an_old_code_does_not_pass_a_new_verification(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    first = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    old = last_code(api, number)
    second = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    new = last_code(api, number)
    if old != new:
        refused = user.call("POST", f"/me/verifications/{second.body['verificationId']}", {"code": old})
        assert refused.status == 400, refused.body
    assert user.call("POST", f"/me/verifications/{first.body['verificationId']}", {"code": old}).status == 200


# --- email ------------------------------------------------------------------------------------------


def test_an_email_address_for_password_reset_only(api: Api) -> None:
    user = api.user()
    address = new_address()
    begun = user.call("POST", "/me/methods", {"type": "email", "emailAddress": address})
    assert begun.status == 201, begun.body
    assert begun.body["sentTo"] == "u•••@contoso.com"
    [mail] = outbox(api, delivered_to(address))
    assert mail["channel"] == "email" and mail.get("subject")
    code = last_code(api, delivered_to(address))
    assert len(code) == 8  # email codes are 8 digits
    assert (
        user.call(
            "POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": code[:6]}
        ).status
        == 400
    )
    done = user.call("POST", f"/me/methods/registrations/{begun.body['registrationId']}", {"code": code})
    assert done.status == 201, done.body
    email = done.body["method"]
    assert email["emailAddress"] == "u•••@contoso.com"
    assert email["usableFor"] == ["sspr"] and email["isDefault"] is False
    assert user.info()["defaultMethodId"] is None  # never the default

    for purpose in ("mfa", "stepUp"):
        refused = user.call("POST", "/me/verifications", {"purpose": purpose, "methodId": email["id"]})
        assert refused.status == 400, refused.body
        assert refused.error["code"] == "method_not_allowed_for_purpose"
        assert "password reset only" in refused.error["message"]
    refused = user.call("PUT", "/me/default-method", {"methodId": email["id"]})
    assert refused.status == 400 and refused.error["code"] == "method_not_allowed_for_purpose"
    # No code was sent for the refused purposes.
    assert len(outbox(api, delivered_to(address))) == 1

    reset = verify_by_code(user, "sspr", email["id"], delivered_to(address))
    assert reset.status == 200, reset.body
    assert reset.body["ssprComplete"] is True


def test_a_bad_email_address_is_refused(api: Api) -> None:
    user = api.user()
    for address in (
        "megan",
        "megan@",
        "@contoso.com",
        "megan@contoso",
        "a b@contoso.com",
        "x" * 250 + "@c.com",
    ):
        answer = user.call("POST", "/me/methods", {"type": "email", "emailAddress": address})
        assert answer.status == 400 and answer.error["field"] == "emailAddress", (address, answer.body)


def test_one_email_address(api: Api) -> None:
    user = api.user()
    add_email(user, new_address())
    again = user.call("POST", "/me/methods", {"type": "email", "emailAddress": new_address()})
    assert again.status == 409 and again.error["code"] == "method_limit", again.body


# --- security questions -----------------------------------------------------------------------------


def test_the_organizations_questions(api: Api) -> None:
    user = api.user()
    answer = user.call("GET", "/me/security-questions")
    assert answer.status == 200, answer.body
    assert len(answer.body["questions"]) >= 10
    assert answer.body["registerCount"] == 3 and answer.body["answerCount"] == 3
    assert all(set(q) == {"questionId", "text"} for q in answer.body["questions"])


def test_security_questions_register_at_once_and_reset_a_password(api: Api) -> None:
    user = api.user()
    method = add_questions(user, {"q1": "Rex the Dog", "q3": "Oak Street School", "q5": "Volvo"})
    assert method["type"] == "securityQuestions" and method["questionCount"] == 3
    assert method["usableFor"] == ["sspr"] and method["isDefault"] is False
    assert "answers" not in json.dumps(user.info())

    refused = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": method["id"]})
    assert refused.status == 400 and refused.error["code"] == "method_not_allowed_for_purpose"

    started = user.call("POST", "/me/verifications", {"purpose": "sspr", "methodId": method["id"]})
    assert started.status == 201, started.body
    asked = started.body["challenge"]["questions"]
    assert sorted(q["questionId"] for q in asked) == ["q1", "q3", "q5"]
    path = f"/me/verifications/{started.body['verificationId']}"
    typed = {"q1": "  rex   THE dog ", "q3": "oak street school", "q5": "VOLVO"}  # case and spacing
    wrong_answers = [{"questionId": q, "answer": "nope"} if q == "q3" else {"questionId": q, "answer": a}
                     for q, a in typed.items()]  # fmt: skip
    bad = user.call("POST", path, {"answers": wrong_answers})
    assert bad.status == 400 and bad.error["code"] == "invalid_code" and bad.error["attemptsLeft"] == 4
    assert "q3" not in bad.error["message"]  # which answer was wrong is not said
    good = user.call("POST", path, {"answers": [{"questionId": q, "answer": a} for q, a in typed.items()]})
    assert good.status == 200, good.body
    assert good.body["ssprComplete"] is True


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"q1": "Rex", "q2": "Springfield"}, "answers"),  # too few
        ({"q1": "Rex", "q2": "Springfield", "q3": "Oak", "q4": "Morgan"}, "answers"),  # too many
        ({"q1": "Rex", "q2": "Springfield", "q99": "Oak"}, "answers[2].questionId"),  # not in the list
        ({"q1": "Rex", "q2": "Springfield", "q3": "ok"}, "answers[2].answer"),  # too short
        ({"q1": "Same answer", "q2": "same  ANSWER", "q3": "Oak"}, "answers[1].answer"),  # twice
    ],
)
def test_bad_security_answers_are_refused(api: Api, answers: dict[str, str], field: str) -> None:
    user = api.user()
    answer = user.call(
        "POST",
        "/me/methods",
        {
            "type": "securityQuestions",
            "answers": [{"questionId": q, "answer": a} for q, a in answers.items()],
        },
    )
    assert answer.status == 400 and answer.error["field"] == field, answer.body


def test_a_question_asked_twice_is_refused(api: Api) -> None:
    user = api.user()
    body = {
        "type": "securityQuestions",
        "answers": [{"questionId": "q1", "answer": a} for a in ("Rex", "Max", "Bella")],
    }
    answer = user.call("POST", "/me/methods", body)
    assert answer.status == 400 and answer.error["field"] == "answers[1].questionId", answer.body


def test_answers_must_match_the_questions_asked(api: Api) -> None:
    user = api.user()
    method = add_questions(user)
    started = user.call("POST", "/me/verifications", {"purpose": "sspr", "methodId": method["id"]})
    path = f"/me/verifications/{started.body['verificationId']}"
    answer = user.call("POST", path, {"answers": [{"questionId": "q1", "answer": "Rex the Dog"}]})
    assert answer.status == 400 and answer.error["field"] == "answers", answer.body


def test_an_idempotent_repeat_of_security_questions_registers_once(api: Api) -> None:
    user = api.user()
    body = {"type": "securityQuestions", "answers": [{"questionId": q, "answer": a} for q, a in
            {"q1": "Rex the Dog", "q2": "Springfield", "q4": "Morgan"}.items()]}  # fmt: skip
    key = "3f0e9a1c-0d4b-4c8e-9f57-6a1b2c3d4e5f"
    first = user.call("POST", "/me/methods", body, headers={"Idempotency-Key": key})
    again = user.call("POST", "/me/methods", body, headers={"Idempotency-Key": key})
    assert first.status == 201 and again.status == 201, (first.body, again.body)
    assert first.body["method"]["id"] == again.body["method"]["id"]
    assert len(user.info()["methods"]) == 1


# --- editing a phone ----------------------------------------------------------------------------------


def test_a_channel_switch_the_kind_allows_applies_at_once(api: Api) -> None:
    user = api.user()
    mobile, office = new_number(), new_number()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    switched = user.call("PATCH", f"/me/methods/{phone['id']}", {"channel": "voice"})
    assert switched.status == 200, switched.body
    assert switched.body["method"]["channel"] == "voice"
    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    assert started.body["challenge"]["channel"] == "voice"
    # The newest code (the switch's change notice to this phone may land after it).
    assert next(m for m in outbox(api, mobile) if code_in(m))["channel"] == "voice"

    desk = add_phone(user, office, "office")
    refused = user.call("PATCH", f"/me/methods/{desk['id']}", {"channel": "sms"})
    assert refused.status == 400 and refused.error["code"] == "channel_not_allowed", refused.body


def test_a_new_number_replaces_the_old_one_only_once_proved(api: Api) -> None:
    user = api.user()
    old, new = new_number(), new_number()
    phone = add_phone(user, old)
    step_up_by_phone(user, phone["id"], old)
    changed = user.call("PATCH", f"/me/methods/{phone['id']}", {"phoneNumber": new})
    assert changed.status == 202, changed.body
    assert changed.body["sentTo"] == f"+1 ••••••••{new[-2:]}" and changed.body["channel"] == "sms"
    # Not proved yet: the phone still has the old number, and codes still go there.
    assert user.info()["methods"][0]["phoneNumber"].endswith(old[-2:])
    path = f"/me/methods/registrations/{changed.body['registrationId']}"
    assert user.call("POST", path, {"code": wrong(last_code(api, new))}).status == 400
    done = user.call("POST", path, {"code": last_code(api, new)})
    assert done.status == 201, done.body
    assert done.body["method"]["id"] == phone["id"]
    assert done.body["method"]["phoneNumber"] == f"+1 ••••••••{new[-2:]}"
    started = user.call("POST", "/me/verifications", {"purpose": "mfa", "methodId": phone["id"]})
    assert started.body["challenge"]["sentTo"].endswith(new[-2:])
    assert len(user.info()["methods"]) == 1


def test_a_new_number_is_validated(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    step_up_by_phone(user, phone["id"], number)
    for bad in ("4255550100", number):
        answer = user.call("PATCH", f"/me/methods/{phone['id']}", {"phoneNumber": bad})
        assert answer.status == 400 and answer.error["field"] == "phoneNumber", answer.body


def test_editing_needs_a_step_up(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    for body in ({"channel": "voice"}, {"phoneNumber": new_number()}):
        answer = user.call("PATCH", f"/me/methods/{phone['id']}", body)
        assert answer.status == 403 and answer.error["code"] == "step_up_required", answer.body
    assert len(outbox(api, number)) == 1  # only the registration's code


# --- events -------------------------------------------------------------------------------------------


def test_the_events_of_this_flow_match_their_schemas_and_are_masked(api: Api) -> None:
    user = api.user()
    number, address = new_number(), new_address()
    phone = add_phone(user, number)
    step_up_by_phone(user, phone["id"], number)
    email = add_email(user, address)
    add_questions(user)
    user.call("PATCH", f"/me/methods/{phone['id']}", {"channel": "voice"})
    assert user.call("DELETE", f"/me/methods/{email['id']}").status == 204
    mine = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    kinds = {e["detail-type"] for e in mine}
    assert {"MethodRegistered", "MethodUpdated", "MethodRemoved", "VerificationSucceeded"} <= kinds
    for event in mine:
        validate_event(event["detail-type"], event["detail"])
    everything = json.dumps([e["detail"] for e in mine], ensure_ascii=False)
    assert number not in everything and number[2:] not in everything
    assert address.lower() not in everything.lower()
    removed = next(e for e in mine if e["detail-type"] == "MethodRemoved")
    assert removed["detail"]["before"]["emailAddress"] == "u•••@contoso.com"
    assert re.fullmatch(r"n[a-z2-7]{16}", removed["detail"]["notifyRef"])


def test_a_call_that_no_provider_makes_is_reported_as_not_delivered(api: Api) -> None:
    """Locally no voice provider is configured (the template's default): the voice sender, reached
    through the delivery topic's filter policy, says so with CodeDeliveryFailed (the outbox still
    shows the call a provider would have made)."""
    user = api.user()
    number = new_number()
    begun = begin_phone(user, number, "mobile", "voice")
    assert begun.status == 201, begun.body
    assert outbox(api, number)[0]["channel"] == "voice"
    deadline = time.monotonic() + 10
    failed: list[dict[str, object]] = []
    while not failed and time.monotonic() < deadline:
        failed = [
            e["detail"]
            for e in api.events()
            if e["detail-type"] == "CodeDeliveryFailed" and e["detail"].get("userId") == user.user_id
        ]
        time.sleep(0.1)
    [detail] = failed
    validate_event("CodeDeliveryFailed", detail)
    assert detail == detail | {
        "actor": "system",
        "channel": "voice",
        "sentTo": f"+1 ••••••••{number[-2:]}",
        "errorType": "NotConfigured",
        "registrationId": begun.body["registrationId"],
        "methodType": "phone",
    }
