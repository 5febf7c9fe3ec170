"""Bench operations for the sign-in service's checks (added to operations.OPERATIONS by run.py):
the app-password check for a user with 1 and with 40 app passwords (its cost must not grow with
the count: one read by the password's keyed hash), and the remembered-device check
(``mfa-status`` with a token). The sign-in service's routes are IAM-authorized, so these requests
carry an ``iam`` authorizer context instead of a user's claims.
"""

from __future__ import annotations

from typing import Any

from operations import (
    Budget,
    CallKey,
    Operation,
    OperationResult,
    Sample,
    Scenario,
    next_code,
)

CHECK_1 = "POST /signin/app-password-check (1 app password)"
CHECK_40 = "POST /signin/app-password-check (40 app passwords)"
REMEMBERED = "POST /signin/mfa-status (remembered device)"
DYNAMODB_AIM = 2  # the check: one TransactGetItems (profile + the password's item), one UpdateItem


def _call(
    sc: Scenario,
    function: str,
    route: str,
    body: Any,
    *,
    authorizer: dict[str, Any],
    expect: int = 200,
    sample: list[Sample] | None = None,
) -> Any:
    """One request with the given authorizer context (no user's claims)."""
    return sc.service.call(
        function, route, None, body=body, authorizer=authorizer, expect=expect, sample=sample
    )


SIGNIN_SERVICE = {
    "iam": {
        "accountId": "123456789012",
        "callerId": "AROABENCH:signin",
        "userArn": "arn:aws:sts::123456789012:assumed-role/signin-service/bench",
        "userId": "AROABENCH:signin",
    }
}
ADMIN = {"jwt": {"claims": {"sub": "bench-admin", "groups": "[admins]"}}}


def _allow_app_passwords(sc: Scenario) -> None:
    policy = _call(sc, "get_policy", "GET /admin/policy", None, authorizer=ADMIN)
    if not policy["appPasswords"]["enabled"]:
        policy["appPasswords"]["enabled"] = True
        _call(sc, "put_policy", "PUT /admin/policy", policy, authorizer=ADMIN)


def _with_app_passwords(sc: Scenario, count: int) -> tuple[str, str]:
    """A user with ``count`` app passwords; returns (user id, the first password)."""
    _allow_app_passwords(sc)
    person = sc.person()
    first = ""
    for i in range(count):
        created = sc.service.call(
            "create_app_password",
            "POST /me/app-passwords",
            person.user_id,
            body={"name": f"App {i}"},
            expect=201,
        )
        first = first or created["password"]
    return person.user_id, first


def _op_check(count: int) -> Operation:
    def op(sc: Scenario, budget: Budget) -> list[Sample]:
        user_id, password = _with_app_passwords(sc, count)
        out: list[Sample] = []
        for _ in budget.rounds():
            answer = _call(
                sc,
                "check_app_password",
                "POST /signin/app-password-check",
                {"userId": user_id, "password": password},
                authorizer=SIGNIN_SERVICE,
                sample=out,
            )
            if answer != {"valid": True}:
                raise RuntimeError(f"the check refused a valid app password: {answer}")
        return out

    return op


def op_remembered(sc: Scenario, budget: Budget) -> list[Sample]:
    person = sc.enrolled()
    vid = sc.start(person, "mfa")
    method_id = vid.partition(".")[0]
    answer = sc.service.call(
        "complete_verification",
        "POST /me/verifications/{verificationId}",
        person.user_id,
        params={"verificationId": vid},
        body={"code": next_code(person, method_id), "rememberDevice": True},
    )
    token = answer["rememberDeviceToken"]
    out: list[Sample] = []
    for _ in budget.rounds():
        status = _call(
            sc,
            "get_mfa_status",
            "POST /signin/mfa-status",
            {"userId": person.user_id, "rememberDeviceToken": token},
            authorizer=SIGNIN_SERVICE,
            sample=out,
        )
        if status["mfaRequired"]:
            raise RuntimeError(f"a remembered device was asked again: {status}")
    return out


OPERATIONS: list[tuple[str, Operation]] = [
    (CHECK_1, _op_check(1)),
    (CHECK_40, _op_check(40)),
    (REMEMBERED, op_remembered),
]


def _dynamodb(calls: Any) -> int:
    return sum(n for (service, _), n in calls.items() if service == "DynamoDB")


def _text(calls: Any) -> str:
    parts = [f"{op}" + (f" x{n}" if n > 1 else "") for (service, op), n in sorted(calls.items())]
    return ", ".join(parts) or "none"


def aims(by_name: dict[str, OperationResult]) -> list[tuple[str, bool]]:
    one, forty = by_name[CHECK_1], by_name[CHECK_40]
    one_calls, forty_calls = one.typical_calls(), forty.typical_calls()
    remembered: Any = by_name[REMEMBERED].typical_calls()
    same: bool = one_calls == forty_calls
    key: CallKey = ("DynamoDB", "Query")
    return [
        (
            f"app-password check: <= {DYNAMODB_AIM} DynamoDB calls and no Query ({_text(one_calls)})",
            _dynamodb(one_calls) <= DYNAMODB_AIM and key not in one_calls,
        ),
        (
            f"app-password check: the same AWS calls with 40 app passwords as with 1 "
            f"({_text(forty_calls)}; own CPU p50 {one.own_cpu(50):.2f} ms vs {forty.own_cpu(50):.2f} ms)",
            same,
        ),
        (
            f"remembered-device check: 1 Query, 1 GetItem, 1 UpdateItem on DynamoDB ({_text(remembered)})",
            _dynamodb(remembered) <= 3,
        ),
    ]
