"""Helpers for phones, email and security questions: fresh numbers and addresses, the local outbox
(where a person reads the codes SNS would have delivered), and short registration flows."""

from __future__ import annotations

import re
import secrets
import time
import urllib.parse
from typing import Any

from tests.support_api import Answer, Api, User

QUESTION_ANSWERS = {"q1": "Rex the Dog", "q2": "Springfield", "q4": "Morgan"}


def new_number() -> str:
    """A fresh E.164 number (+1 425 ...): the per-number daily limit spans users, so tests never share one."""
    return f"+1425{secrets.randbelow(10**7):07d}"


def new_address() -> str:
    return f"user.{secrets.token_hex(5)}@Contoso.com"


def outbox(api: Api, to: str) -> list[dict[str, Any]]:
    """What was sent to ``to``, newest first."""
    answer = api.call("GET", f"/local/outbox?to={urllib.parse.quote(to)}")
    assert answer.status == 200, answer.body
    return list(answer.body["messages"])


def wait_for(api: Api, to: str, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    """At least ``count`` messages to ``to`` (change notices arrive asynchronously), newest first."""
    deadline = time.monotonic() + timeout
    while True:
        found = outbox(api, to)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def code_in(message: dict[str, Any]) -> str | None:
    """The code a person would read: "123456 is your ...", "... code is 1, 2, 3, ...", "... is 12345678"
    (None for a message without one, such as a change notice)."""
    body = message["body"]
    spoken = re.search(r"code is ((?:\d, ){5,7}\d)", body)
    if spoken:
        return re.sub(r"\D", "", spoken.group(1))
    found = re.search(r"(?:^|code is )(\d{6}|\d{8})\b", body)
    return found.group(1) if found else None


def last_code(api: Api, to: str) -> str:
    """The newest code sent to ``to``."""
    for message in outbox(api, to):
        code = code_in(message)
        if code:
            return code
    raise AssertionError(f"no code was sent to {to}")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def begin_phone(user: User, number: str, phone_type: str = "mobile", channel: str | None = None) -> Answer:
    body: dict[str, Any] = {"type": "phone", "phoneType": phone_type, "phoneNumber": number}
    if channel:
        body["channel"] = channel
    return user.call("POST", "/me/methods", body)


def add_phone(
    user: User, number: str, phone_type: str = "mobile", channel: str | None = None
) -> dict[str, Any]:
    begun = begin_phone(user, number, phone_type, channel)
    assert begun.status == 201, begun.body
    done = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"code": last_code(user.api, number)},
    )
    assert done.status == 201, done.body
    return dict(done.body["method"])


def add_email(user: User, address: str) -> dict[str, Any]:
    begun = user.call("POST", "/me/methods", {"type": "email", "emailAddress": address})
    assert begun.status == 201, begun.body
    done = user.call(
        "POST",
        f"/me/methods/registrations/{begun.body['registrationId']}",
        {"code": last_code(user.api, delivered_to(address))},
    )
    assert done.status == 201, done.body
    return dict(done.body["method"])


def add_questions(user: User, answers: dict[str, str] | None = None) -> dict[str, Any]:
    chosen = answers or QUESTION_ANSWERS
    done = user.call(
        "POST",
        "/me/methods",
        {"type": "securityQuestions", "answers": [{"questionId": q, "answer": a} for q, a in chosen.items()]},
    )
    assert done.status == 201, done.body
    return dict(done.body["method"])


def delivered_to(address: str) -> str:
    """The domain of an address is stored (and sent to) in lower case."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def verify_by_code(user: User, purpose: str, method_id: str, to: str) -> Answer:
    started = user.call("POST", "/me/verifications", {"purpose": purpose, "methodId": method_id})
    assert started.status == 201, started.body
    return user.call(
        "POST", f"/me/verifications/{started.body['verificationId']}", {"code": last_code(user.api, to)}
    )


def step_up_by_phone(user: User, method_id: str, number: str) -> str:
    answer = verify_by_code(user, "stepUp", method_id, number)
    assert answer.status == 200, answer.body
    user.step_up_token = answer.body["stepUpToken"]
    return str(user.step_up_token)
