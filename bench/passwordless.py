"""Bench operations for the sign-in service's passwordless check (added to operations.OPERATIONS by
run.py): the usernameless options (one PutItem: the challenge) and the check of a passkey's answer
(the challenge used once, the credential's claim, the key and profile together, the approval's
transaction). The passkey is simulated with cryptography as in push_webauthn.py, with a resident key
(the user handle in every assertion); only the requests are timed.
"""

from __future__ import annotations

from typing import Any

from operations import Budget, CallKey, Operation, OperationResult, Sample, Scenario
from push_webauthn import Key, _configure
from signin_checks import SIGNIN_SERVICE

OPTIONS = "POST /signin/passkey/options (passwordless)"
VERIFY = "POST /signin/passkey/verify (passwordless check)"
# The check: UpdateItem (the challenge), GetItem (the credential's claim), TransactGetItems (key +
# profile), TransactWriteItems (counter, not locked, event); the policy is cached.
VERIFY_DYNAMODB_AIM = 4
OWN_CPU_AIM_MS = 5.0


class Passkey(Key):
    """A resident key: it keeps the user handle and sends it with every assertion."""

    user_handle: str = ""

    def create(self, options: dict[str, Any]) -> dict[str, Any]:
        self.user_handle = options["user"]["id"]
        return super().create(options)

    def get(self, options: dict[str, Any]) -> dict[str, Any]:
        # The user handle is not signed: the assertion is Key's, with the handle beside it.
        answer = super().get(options)
        answer["response"]["userHandle"] = self.user_handle
        return answer


def _with_passkey(sc: Scenario) -> Passkey:
    """A user whose first method is a passkey (no step-up: the first method's bootstrap)."""
    _configure()
    user, key = sc.person().user_id, Passkey()
    begun = sc.service.call(
        "register_method",
        "POST /me/methods",
        user,
        body={"type": "securityKey", "displayName": "Passkey", "passkey": True},
        expect=201,
    )
    sc.service.call(
        "complete_registration",
        "POST /me/methods/registrations/{registrationId}",
        user,
        params={"registrationId": begun["registrationId"]},
        body={"credential": key.create(begun["publicKey"])},
        expect=201,
    )
    return key


def _options(sc: Scenario, sample: list[Sample] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = sc.service.call(
        "get_passkey_options", "POST /signin/passkey/options", None, body={}, authorizer=SIGNIN_SERVICE,
        sample=sample,
    )  # fmt: skip
    return answer


def op_options(sc: Scenario, budget: Budget) -> list[Sample]:
    _configure()
    out: list[Sample] = []
    for _ in budget.rounds():
        _options(sc, out)
    return out


def op_verify(sc: Scenario, budget: Budget) -> list[Sample]:
    key = _with_passkey(sc)
    out: list[Sample] = []
    for _ in budget.rounds():
        started = _options(sc)
        answer = sc.service.call(
            "check_passkey",
            "POST /signin/passkey/verify",
            None,
            body={"challengeId": started["challengeId"], "credential": key.get(started["publicKey"])},
            authorizer=SIGNIN_SERVICE,
            sample=out,
        )
        if not answer.get("userVerified"):
            raise RuntimeError(f"the passwordless check answered {answer}")
    return out


OPERATIONS: list[tuple[str, Operation]] = [(OPTIONS, op_options), (VERIFY, op_verify)]


def _dynamodb(calls: Any) -> int:
    return sum(n for (service, _), n in calls.items() if service == "DynamoDB")


def _text(calls: Any) -> str:
    return ", ".join(f"{op}" + (f" x{n}" if n > 1 else "") for (_, op), n in sorted(calls.items())) or "none"


def aims(by_name: dict[str, OperationResult]) -> list[tuple[str, bool]]:
    options, check = by_name[OPTIONS], by_name[VERIFY]
    options_calls, check_calls = options.typical_calls(), check.typical_calls()
    put: CallKey = ("DynamoDB", "PutItem")
    return [
        (
            f"passkey options: 1 DynamoDB PutItem and nothing else ({_text(options_calls)}; "
            f"own CPU p50 {options.own_cpu(50):.2f} ms)",
            options_calls.get(put, 0) == 1 and _dynamodb(options_calls) == 1,
        ),
        (
            f"passwordless check: <= {VERIFY_DYNAMODB_AIM} DynamoDB calls, no Query, no KMS "
            f"({_text(check_calls)})",
            _dynamodb(check_calls) <= VERIFY_DYNAMODB_AIM
            and ("DynamoDB", "Query") not in check_calls
            and not any(service == "KMS" for service, _ in check_calls),
        ),
        (
            f"passwordless check: <= {OWN_CPU_AIM_MS:g} ms own CPU at p50 ({check.own_cpu(50):.2f} ms; "
            f"wall p50 {check.own(50):.2f} ms, p99 {check.own(99):.2f} ms)",
            check.own_cpu(50) <= OWN_CPU_AIM_MS,
        ),
    ]
