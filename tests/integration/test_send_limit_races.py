"""The send limits under concurrency (docs/RULES.md): 30 s between sends of one code, 5 sends per user
per hour, 10 per number or address per day, whatever arrives at once and on every route that sends
a code (registration, resend, verification start, phone-number change, the wizard's phone step).
Counted by what the outbox received, as an attacker racing the limit would count."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support_api import Answer, Api, User
from tests.support_codes import add_phone, begin_phone, new_number, outbox


def _at_once(calls: list[Callable[[], Answer]]) -> list[Answer]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _phone(number: str) -> dict[str, Any]:
    return {"type": "phone", "phoneType": "mobile", "phoneNumber": number, "channel": "sms"}


def _register(user: User, number: str) -> Callable[[], Answer]:
    return lambda: user.call("POST", "/me/methods", _phone(number))


def _sent(api: Api, numbers: list[str]) -> int:
    return sum(len(outbox(api, n)) for n in numbers)


def _refused_as_too_many(answers: list[Answer]) -> None:
    for answer in answers:
        if answer.status != 201 and answer.status != 202:
            assert answer.status == 429 and answer.error["code"] == "too_many_codes", answer.body
            assert answer.error["retryAfter"] >= 1 and "Retry-After" in answer.headers


def test_eight_concurrent_registrations_send_five_codes(api: Api) -> None:
    user = api.user()
    numbers = [new_number() for _ in range(8)]
    answers = _at_once([_register(user, n) for n in numbers])
    assert _sent(api, numbers) == 5
    assert [a.status for a in answers].count(201) == 5, [a.body for a in answers]
    _refused_as_too_many(answers)
    # The window really is full: one more, alone, is refused too.
    late = begin_phone(user, new_number())
    assert late.status == 429, late.body


def test_concurrent_verification_starts_stay_within_the_users_hour(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)  # the first of the hour's five
    start = {"purpose": "mfa", "methodId": phone["id"]}
    answers = _at_once([lambda: user.call("POST", "/me/verifications", start) for _ in range(7)])
    assert len(outbox(api, number)) == 5
    assert [a.status for a in answers].count(201) == 4, [a.body for a in answers]
    _refused_as_too_many(answers)


def test_concurrent_phone_number_changes_stay_within_the_users_hour(api: Api) -> None:
    user = api.user()
    user.step_up(user.add_totp()[1])
    old = new_number()
    phone = add_phone(user, old)  # the first of the hour's five
    numbers = [new_number() for _ in range(7)]
    answers = _at_once(
        [lambda n=n: user.call("PATCH", f"/me/methods/{phone['id']}", {"phoneNumber": n}) for n in numbers]
    )
    assert _sent(api, numbers) == 4
    assert [a.status for a in answers].count(202) == 4, [a.body for a in answers]
    _refused_as_too_many(answers)


def test_concurrent_resends_of_one_code_send_one(api: Api) -> None:
    user = api.user()
    number = new_number()
    rid = begin_phone(user, number).body["registrationId"]
    api.advance(31)
    path = f"/me/methods/registrations/{rid}/resend"
    answers = _at_once([lambda: user.call("POST", path) for _ in range(6)])
    assert len(outbox(api, number)) == 2
    assert [a.status for a in answers].count(202) == 1, [a.body for a in answers]
    for answer in answers:
        assert answer.status == 202 or answer.error["code"] == "resend_too_soon", answer.body


def test_the_wizard_and_the_security_info_page_share_the_users_hour(api: Api) -> None:
    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    choice = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": "differentMethod"})
    step = user.call(
        "POST", f"/me/enrollment/steps/{choice.body['step']['id']}", {"action": "next", "type": "phone"}
    ).body["step"]
    assert step["page"] == "phoneEntry", step
    early = [new_number() for _ in range(3)]
    for number in early:
        assert begin_phone(user, number).status == 201
    wizard_number = new_number()
    others = [new_number() for _ in range(3)]

    def wizard() -> Answer:
        return user.call(
            "POST",
            f"/me/enrollment/steps/{step['id']}",
            {"action": "next", "phoneType": "mobile", "phoneNumber": wizard_number, "channel": "sms"},
        )

    answers = _at_once([wizard, *(_register(user, n) for n in others)])
    # The wizard answers 202 with its next page, or the same page with the refusal in step.error.
    assert answers[0].status == 202, answers[0].body
    page = answers[0].body["step"]
    assert page["page"] == "phoneCode" or page["error"]["code"] == "too_many_codes", page
    _refused_as_too_many(answers[1:])
    assert _sent(api, [*early, wizard_number, *others]) == 5


def test_concurrent_users_get_ten_codes_a_day_to_one_number(api: Api) -> None:
    """SMS pumping with many accounts at once: the number's day still holds at 10."""
    victim = new_number()
    users = [api.user() for _ in range(13)]
    answers = _at_once([_register(u, victim) for u in users])
    assert len(outbox(api, victim)) == 10, [a.body for a in answers]
    assert [a.status for a in answers].count(201) == 10, [a.body for a in answers]
    _refused_as_too_many(answers)
