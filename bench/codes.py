"""Bench operations for phones, email and security questions (added to operations.OPERATIONS by
run.py): sending a code (SMS straight to the number, email through the delivery topic), checking
one, a resend, security questions (scrypt on every answer), and the change notifier.

The send limits (5 per user per hour, 10 per number per day) are part of what is measured, so each
request that sends uses a fresh number, and a fresh user once the user's hour is used up; that setup
is never timed.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from operations import Budget, Operation, Person, Sample, Scenario

QUESTIONS = [
    {"questionId": q, "answer": a}
    for q, a in (("q1", "Rex the Dog"), ("q2", "Springfield"), ("q4", "Morgan"))
]


def _number() -> str:
    return f"+1425{secrets.randbelow(10**7):07d}"


def _sent_code(sc: Scenario, to: str) -> str:
    """The code in the newest message to ``to`` (read back from moto's SNS, untimed)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for number, text in reversed(backend.sms_messages.values()):
        if number == to:
            return text[:6]
    raise RuntimeError(f"no SMS to {to}")


def _with_phone(sc: Scenario, sample: list[Sample] | None = None) -> tuple[Person, str, str]:
    """A new user whose first method is a mobile phone (2 of the hour's 5 sends left unused); the
    registration's completion goes to ``sample`` when given."""
    person, number = sc.person(), _number()
    begun = sc.service.call(
        "register_method",
        "POST /me/methods",
        person.user_id,
        body={"type": "phone", "phoneType": "mobile", "phoneNumber": number},
        expect=201,
    )
    done = sc.service.call(
        "complete_registration",
        "POST /me/methods/registrations/{registrationId}",
        person.user_id,
        params={"registrationId": begun["registrationId"]},
        body={"code": _sent_code(sc, number)},
        expect=201,
        sample=sample,
    )
    return person, str(done["method"]["id"]), number


def op_register_phone(sc: Scenario, budget: Budget) -> list[Sample]:
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.service.call(
            "register_method",
            "POST /me/methods",
            sc.person().user_id,
            body={"type": "phone", "phoneType": "mobile", "phoneNumber": _number(), "channel": "sms"},
            headers={"idempotency-key": str(uuid.uuid4())},
            expect=201,
            sample=out,
        )
    return out


def op_complete_phone_registration(sc: Scenario, budget: Budget) -> list[Sample]:
    out: list[Sample] = []
    for _ in budget.rounds():
        _with_phone(sc, sample=out)
    return out


def op_start_phone(sc: Scenario, budget: Budget) -> list[Sample]:
    out: list[Sample] = []
    for _ in budget.rounds():
        person, method_id, _ = _with_phone(sc)
        sc.start(person, "mfa", sample=out, method_id=method_id)
    return out


def op_complete_phone(sc: Scenario, budget: Budget) -> list[Sample]:
    out: list[Sample] = []
    for _ in budget.rounds():
        person, method_id, number = _with_phone(sc)
        vid = sc.start(person, "mfa", method_id=method_id)
        sc.service.call(
            "complete_verification",
            "POST /me/verifications/{verificationId}",
            person.user_id,
            params={"verificationId": vid},
            body={"code": _sent_code(sc, number)},
            sample=out,
        )
    return out


def op_resend(sc: Scenario, budget: Budget) -> list[Sample]:
    import os

    from operations import OFFSET_ENV

    out: list[Sample] = []
    for _ in budget.rounds():
        person, method_id, _ = _with_phone(sc)
        vid = sc.start(person, "mfa", method_id=method_id)
        # 30 s must pass before a resend: move the service clock instead of waiting.
        os.environ[OFFSET_ENV] = repr(float(os.environ.get(OFFSET_ENV) or 0) + 31)
        sc.service.call(
            "resend_verification_code",
            "POST /me/verifications/{verificationId}/resend",
            person.user_id,
            params={"verificationId": vid},
            expect=202,
            sample=out,
        )
    return out


def op_start_email(sc: Scenario, budget: Budget) -> list[Sample]:
    out: list[Sample] = []
    for _ in budget.rounds():
        person = sc.person()
        begun = sc.service.call(
            "register_method",
            "POST /me/methods",
            person.user_id,
            body={"type": "email", "emailAddress": f"bench.{secrets.token_hex(5)}@contoso.com"},
            expect=201,
            sample=out,
        )
        if not begun.get("sentTo"):
            raise RuntimeError(f"no email sent: {begun}")
    return out


def op_register_questions(sc: Scenario, budget: Budget) -> list[Sample]:
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.service.call(
            "register_method",
            "POST /me/methods",
            sc.person().user_id,
            body={"type": "securityQuestions", "answers": QUESTIONS},
            expect=201,
            sample=out,
        )
    return out


def op_answer_questions(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.person()
    method = sc.service.call(
        "register_method",
        "POST /me/methods",
        person.user_id,
        body={"type": "securityQuestions", "answers": QUESTIONS},
        expect=201,
    )["method"]
    out: list[Sample] = []
    for _ in budget.rounds():
        vid = sc.start(person, "sspr", method_id=method["id"])
        sc.service.call(
            "complete_verification",
            "POST /me/verifications/{verificationId}",
            person.user_id,
            params={"verificationId": vid},
            body={"answers": QUESTIONS},
            sample=out,
        )
    return out


def op_notify(sc: Scenario, budget: Budget) -> list[Sample]:
    """One change-notice event (one SQS record) for a user with a phone: one text."""
    person, _, _ = _with_phone(sc)
    out: list[Sample] = []
    for _ in budget.rounds():
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "MethodRegistered",
            "source": "security-info",
            "detail": {
                "userId": person.user_id,
                "actor": "self",
                "occurredAt": "2025-03-01T12:00:00Z",
                "methodType": "email",
                "methodId": "mnew",
                "after": {"emailAddress": "b•••@contoso.com"},
            },
        }
        records: dict[str, Any] = {"Records": [{"messageId": str(uuid.uuid4()), "body": json.dumps(event)}]}
        answer = sc.service.invoke("notify_user", records, out)
        if answer != {"batchItemFailures": []}:
            raise RuntimeError(f"the notifier failed: {answer}")
    return out


OPERATIONS: list[tuple[str, Operation]] = [
    ("POST /me/methods (phone, sends an SMS)", op_register_phone),
    ("POST /me/methods/registrations/{id} (phone code)", op_complete_phone_registration),
    ("POST /me/verifications (phone, sends an SMS)", op_start_phone),
    ("POST /me/verifications/{id} (phone code)", op_complete_phone),
    ("POST /me/verifications/{id}/resend (SMS)", op_resend),
    ("POST /me/methods (email, via the delivery topic)", op_start_email),
    ("POST /me/methods (securityQuestions, 3 scrypt hashes)", op_register_questions),
    ("POST /me/verifications/{id} (3 security answers, sspr)", op_answer_questions),
    ("notify_user (1 event, texts to 1 phone)", op_notify),
]
