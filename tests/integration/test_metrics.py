"""The counts the CloudWatch alarms watch reach the functions' logs as EMF lines, in the SecurityInfo
namespace with the service dimension, when what they count happens."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from securityinfo.methods import totp
from tests.support_api import Api
from tests.support_codes import begin_phone, new_number


def _counts(out: str) -> dict[str, float]:
    """What the EMF lines in ``out`` counted, by metric name (SecurityInfo, service security-info)."""
    totals: dict[str, float] = {}
    for line in out.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        record: dict[str, Any] = json.loads(line)
        [directive] = record["_aws"]["CloudWatchMetrics"]
        if directive["Namespace"] != "SecurityInfo" or record.get("service") != "security-info":
            continue
        for metric in directive["Metrics"]:
            value = record[metric["Name"]]
            totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                value if isinstance(value, list) else [value]
            )
    return totals


def _wrong_code(secret: str, now: float) -> str:
    step = totp.step_at(now)
    valid = {totp.code_for_step(secret, step + d) for d in range(-40, 40)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def test_wrong_answers_and_the_lockout_they_reach_are_counted(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    user = api.user()
    _, secret = user.add_totp()
    wrong = _wrong_code(secret, api.now())
    capsys.readouterr()
    statuses = []
    for _ in range(10):
        vid = user.call("POST", "/me/verifications", {"purpose": "mfa"}).body["verificationId"]
        statuses.append(user.call("POST", f"/me/verifications/{vid}", {"code": wrong}).status)
    assert statuses[-1] == 423, statuses
    counted = _counts(capsys.readouterr().out)
    assert counted.get("VerificationsFailed", 0) >= 10, counted
    assert counted.get("LockoutsTriggered", 0) >= 1, counted


def test_a_send_held_back_is_counted(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    user = api.user()
    begun = begin_phone(user, new_number())
    capsys.readouterr()
    early = user.call("POST", f"/me/methods/registrations/{begun.body['registrationId']}/resend")
    assert early.status == 429, early.body
    assert _counts(capsys.readouterr().out).get("SendsThrottled", 0) >= 1


def test_a_code_no_provider_sends_is_counted(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    """Locally no voice provider is configured, so a call is a delivery failure (in the sender)."""
    user = api.user()
    capsys.readouterr()
    assert begin_phone(user, new_number(), "mobile", "voice").status == 201
    deadline = time.monotonic() + 10
    seen = ""
    while "DeliveryFailures" not in _counts(seen) and time.monotonic() < deadline:
        time.sleep(0.1)
        seen += capsys.readouterr().out
    assert _counts(seen).get("DeliveryFailures", 0) >= 1


def test_an_unexpected_error_is_counted(
    api: Api, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from securityinfo.manage import security_info

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    user = api.user()
    monkeypatch.setattr(security_info, "overview", broken)
    capsys.readouterr()
    answer = user.call("GET", "/me/security-info")
    assert answer.status == 500 and answer.error["code"] == "internal_error"
    assert _counts(capsys.readouterr().out).get("UnexpectedErrors", 0) == 1
