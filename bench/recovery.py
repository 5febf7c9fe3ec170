"""Bench operations for recovery codes (added to operations.OPERATIONS by run.py): starting and
completing a verification with one code. The aim, like a TOTP verification's: checking the code is
2 DynamoDB calls (one read of the verification, the set and the profile; one transaction). The start
is shown beside it; it costs what any start with an Idempotency-Key does (the key's record, one
read, one transaction).

A set holds 10 codes, so a new set is created (untimed) whenever the user's codes run out.
"""

from __future__ import annotations

from typing import Any

from operations import Budget, Operation, OperationResult, Person, Sample, Scenario

START = "POST /me/verifications (recoveryCodes, mfa)"
COMPLETE = "POST /me/verifications/{id} (recovery code, mfa)"
DYNAMODB_AIM = 2


def _new_set(sc: Scenario, person: Person) -> tuple[str, list[str]]:
    sc.stepped_up(person)
    created = sc.service.call(
        "create_recovery_codes", "POST /me/recovery-codes", person.user_id, headers=person.step_up, expect=201
    )
    return str(created["methodId"]), list(created["codes"])


def _with_codes(sc: Scenario) -> tuple[Person, list[Any]]:
    person = sc.enrolled()
    method_id, codes = _new_set(sc, person)
    return person, [method_id, codes]


def op_start(sc: Scenario, budget: Budget) -> list[Sample]:
    person, (method_id, _) = _with_codes(sc)
    out: list[Sample] = []
    for _ in budget.rounds():
        sc.start(person, "mfa", sample=out, method_id=method_id)
    return out


def op_complete(sc: Scenario, budget: Budget) -> list[Sample]:
    person, (method_id, codes) = _with_codes(sc)
    out: list[Sample] = []
    for _ in budget.rounds():
        if not codes:
            method_id, codes = _new_set(sc, person)
        vid = sc.start(person, "mfa", method_id=method_id)
        sc.service.call(
            "complete_verification",
            "POST /me/verifications/{verificationId}",
            person.user_id,
            params={"verificationId": vid},
            body={"code": codes.pop()},
            sample=out,
        )
    return out


OPERATIONS: list[tuple[str, Operation]] = [(START, op_start), (COMPLETE, op_complete)]


def aims(by_name: dict[str, OperationResult]) -> list[tuple[str, bool]]:
    calls = by_name[COMPLETE].typical_calls()
    dynamodb = sum(n for (service, _), n in calls.items() if service == "DynamoDB")
    aim = f"recovery-code verification: <= {DYNAMODB_AIM} DynamoDB calls ({dynamodb})"
    return [(aim, dynamodb <= DYNAMODB_AIM)]
