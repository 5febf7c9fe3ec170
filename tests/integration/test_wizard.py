"""The "Keep your account secure" wizard, run by the real state machine under moto's interpreter."""

import re
import uuid
from typing import Any

from tests.support_api import Answer, Api, User


def _phone() -> str:
    return "+1425555" + str(uuid.uuid4().int % 10000).zfill(4)


def _sms_code(api: Api, number: str) -> str:
    messages = api.call("GET", f"/local/outbox?to={number.replace('+', '%2B')}").body["messages"]
    assert messages, f"no message to {number}"
    found = re.search(r"\b(\d{6})\b", messages[0]["body"])
    assert found, messages[0]["body"]
    return found.group(1)


def _submit(user: User, step: dict[str, Any], action: str = "next", **data: Any) -> Answer:
    answer = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": action, **data})
    assert answer.status == 202, answer.body
    return answer


def test_default_policy_different_app_then_phone_by_text(api: Api) -> None:
    user = api.user()
    started = user.call("POST", "/me/enrollment")
    assert started.status == 201, started.body
    assert started.body["status"] == "running"
    step = started.body["step"]
    assert step["page"] == "authenticatorDownload"
    assert "differentApp" in step["actions"] and "differentMethod" in step["actions"]
    assert "skip" not in step["actions"]  # the default policy allows no snoozing

    again = user.call("POST", "/me/enrollment")
    assert again.status == 200 and again.body["step"]["id"] == step["id"]

    step = _submit(user, step, "differentApp").body["step"]
    assert step["page"] == "softwareOathQr"
    assert step["qrSvg"].startswith("<svg") and step["secret"] and step["otpauthUri"].startswith("otpauth://")
    wrong = _submit(user, step, code="000000").body["step"]
    assert wrong["page"] == "softwareOathQr" and wrong["error"]["code"] == "invalid_code"
    assert wrong["error"]["attemptsLeft"] == 4
    step = _submit(user, wrong, code=user.code(step["secret"])).body["step"]
    assert step["page"] == "phoneEntry"

    number = _phone()
    step = _submit(user, step, phoneType="mobile", phoneNumber=number, channel="sms").body["step"]
    assert step["page"] == "phoneCode"
    assert number not in str(step) and step["sentTo"].endswith(number[-2:])
    wrong = _submit(user, step, code="000000" if _sms_code(api, number) != "000000" else "111111").body[
        "step"
    ]
    assert wrong["page"] == "phoneCode" and wrong["error"]["code"] == "invalid_code"
    step = _submit(user, wrong, code=_sms_code(api, number)).body["step"]
    assert step["page"] == "success"
    assert sorted(m["type"] for m in step["registered"]) == ["phone", "softwareOath"]

    done = _submit(user, step, "done").body
    assert done["status"] == "succeeded" and done["step"] is None
    assert sorted(done["completed"]) == ["authenticatorApp", "phone"]
    info = user.info()
    assert info["registration"]["required"] is False
    default = next(m for m in info["methods"] if m["isDefault"])
    assert default["type"] == "softwareOath"  # the first MFA method became the default
    kinds = [e["detail-type"] for e in api.events() if e["detail"].get("userId") == user.user_id]
    assert "EnrollmentStarted" in kinds and "EnrollmentCompleted" in kinds


def test_a_stale_or_foreign_step_is_refused_and_bad_actions_are_400(api: Api) -> None:
    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    moved = _submit(user, step).body["step"]
    assert moved["page"] == "authenticatorSetup"
    stale = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": "next"})
    assert stale.status == 409 and stale.error["code"] == "stale_step"
    bad = user.call("POST", f"/me/enrollment/steps/{moved['id']}", {"action": "cantScan"})
    assert bad.status == 400 and bad.error["code"] == "invalid_action"
    unknown = user.call("POST", f"/me/enrollment/steps/{moved['id']}", {"action": "next", "extra": 1})
    assert unknown.status == 400 and unknown.error["field"] == "extra"
    back = _submit(user, moved, "back").body["step"]
    assert back["page"] == "authenticatorDownload"
    other = api.user()
    assert other.call("POST", f"/me/enrollment/steps/{back['id']}", {"action": "next"}).status == 404
    assert other.call("GET", "/me/enrollment").status == 404


def test_an_unanswered_step_expires_on_the_service_clock_and_nothing_half_registered_stays(api: Api) -> None:
    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    step = _submit(user, step, "differentApp").body["step"]
    assert step["page"] == "softwareOathQr"
    api.advance(15 * 60 + 1)
    read = user.call("GET", "/me/enrollment")
    assert read.status == 200 and read.body["status"] == "expired" and read.body["step"] is None
    late = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": "next", "code": "123456"})
    assert late.status == 410 and late.error["code"] == "enrollment_expired"
    assert user.info()["methods"] == []
    fresh = user.call("POST", "/me/enrollment")
    assert fresh.status == 201 and fresh.body["step"]["page"] == "authenticatorDownload"


def test_a_user_with_a_method_steps_up_to_start_and_then_needs_no_more(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    refused = user.call("POST", "/me/enrollment")
    assert refused.status == 403 and refused.error["code"] == "step_up_required"
    user.step_up(secret)
    started = user.call("POST", "/me/enrollment")
    assert started.status == 201
    step = started.body["step"]
    assert step["page"] == "phoneEntry"  # the TOTP app already satisfies the authenticator app
    user.step_up_token = None
    number = _phone()
    step = _submit(user, step, phoneType="mobile", phoneNumber=number, channel="sms").body["step"]
    step = _submit(user, step, code=_sms_code(api, number)).body["step"]
    assert step["page"] == "success"
