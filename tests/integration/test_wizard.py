"""The "Keep your account secure" wizard, run by the real state machine under moto's interpreter."""

import re
import uuid
from typing import Any

from tests.support_api import Answer, Api, User
from tests.support_events import validate_event


def _phone() -> str:
    return "+1425555" + str(uuid.uuid4().int % 10000).zfill(4)


def _sms_code(api: Api, number: str) -> str:
    messages = api.call("GET", f"/local/outbox?to={number.replace('+', '%2B')}").body["messages"]
    assert messages, f"no message to {number}"
    found = re.search(r"\b(\d{6})\b", messages[0]["body"])
    assert found, messages[0]["body"]
    return found.group(1)


def _status(api: Api, user: User) -> dict[str, Any]:
    from tests.support_admin import service_token

    answer = api.call("POST", "/signin/mfa-status", {"userId": user.user_id}, token=service_token(api))
    assert answer.status == 200, answer.body
    return dict(answer.body)


def _submit(user: User, step: dict[str, Any], action: str = "next", **data: Any) -> Answer:
    answer = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": action, **data})
    assert answer.status == 202, answer.body
    return answer


def _past_recovery_codes(user: User, step: dict[str, Any]) -> dict[str, Any]:
    """The policy's default offers recovery codes on the last page before success."""
    assert step["page"] == "recoveryCodesShow", step
    assert len(step["codes"]) == 10
    return dict(_submit(user, step).body["step"])


def test_default_policy_different_app_then_phone_by_text(api: Api) -> None:
    user = api.user()
    assert _status(api, user)["registrationRequired"] is True
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
    assert step["page"] == "recoveryCodesShow" and len(step["codes"]) == 10
    codes = step["codes"]
    again = user.call("GET", "/me/enrollment").body["step"]
    assert again["page"] == "recoveryCodesShow" and again.get("codes") is None  # shown once
    step = _submit(user, again).body["step"]
    assert step["page"] == "success"
    assert sorted(m["type"] for m in step["registered"]) == ["phone", "softwareOath"]
    assert user.call("GET", "/me/recovery-codes").body["remaining"] == 10 and codes[0] not in str(step)

    done = _submit(user, step, "done").body
    assert _status(api, user)["registrationRequired"] is False
    assert done["status"] == "succeeded" and done["step"] is None
    assert sorted(done["completed"]) == ["authenticatorApp", "phone"]
    info = user.info()
    assert info["registration"]["required"] is False
    default = next(m for m in info["methods"] if m["isDefault"])
    assert default["type"] == "softwareOath"  # the first MFA method became the default
    mine = [e for e in api.events() if e["detail"].get("userId") == user.user_id]
    for event in mine:
        validate_event(event["detail-type"], event["detail"])
    completed = next(e["detail"] for e in mine if e["detail-type"] == "EnrollmentCompleted")
    assert sorted(m["methodType"] for m in completed["methodsRegistered"]) == ["phone", "softwareOath"]
    assert "EnrollmentStarted" in [e["detail-type"] for e in mine]


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
    expired = [
        e
        for e in api.events()
        if e["detail"].get("userId") == user.user_id and e["detail-type"] == "EnrollmentExpired"
    ]
    assert len(expired) == 1 and expired[0]["detail"]["step"] == "softwareOathQr"
    validate_event("EnrollmentExpired", expired[0]["detail"])


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
    step = _past_recovery_codes(user, _submit(user, step, code=_sms_code(api, number)).body["step"])
    assert step["page"] == "success"


def test_authenticator_app_path_with_cant_scan_and_the_test_notification(api: Api) -> None:
    from tests.support_device import Device

    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    step = _submit(user, step).body["step"]
    assert step["page"] == "authenticatorSetup"
    step = _submit(user, step).body["step"]
    assert step["page"] == "authenticatorQr"
    assert step["qrSvg"].lstrip().startswith("<svg") and step["activationCode"] and step["activationUrl"]
    early = _submit(user, step).body["step"]
    assert early["page"] == "authenticatorQr" and early["error"]["code"] == "not_activated"
    manual = _submit(user, early, "cantScan").body["step"]
    assert manual["page"] == "authenticatorManual" and manual["activationCode"] == step["activationCode"]
    device = Device(api, name="Pixel 9")
    assert device.activate(manual["activationCode"].replace("-", "")).status == 201
    test = _submit(user, manual).body["step"]
    assert test["page"] == "authenticatorTest"
    number = test["numberToMatch"]
    assert 10 <= int(number) <= 99
    not_yet = _submit(user, test).body["step"]
    assert not_yet["page"] == "authenticatorTest" and not_yet["error"]["code"] == "not_approved"
    assert not_yet["testResult"] == "waiting"
    request = device.wait_for_request()
    assert device.approve(request["verificationId"], not_yet["numberToMatch"]).status == 204
    # The page asks while it waits: the approval shows before the user selects Next.
    seen = user.call("GET", "/me/enrollment").body["step"]
    assert seen["page"] == "authenticatorTest" and seen["testResult"] == "approved"
    step = _submit(user, not_yet).body["step"]
    assert step["page"] == "phoneEntry"
    methods = user.info()["methods"]
    assert [m["type"] for m in methods] == ["authenticatorApp"] and methods[0]["isDefault"]


def test_a_different_method_instead_of_the_app(api: Api) -> None:
    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    choice = _submit(user, step, "differentMethod").body["step"]
    assert choice["page"] == "methodChoice" and "phone" in choice["types"]
    refused = _submit(user, choice, type="securityKey").body["step"]
    assert refused["page"] == "methodChoice" and refused["error"]["code"] == "invalid_field"
    step = _submit(user, refused, type="phone").body["step"]
    assert step["page"] == "phoneEntry"


def test_the_app_password_section_shows_the_password_once(api: Api) -> None:
    from tests.support_admin import policy_changed

    with policy_changed(api, {"appPasswords": {"enabled": True, "required": True}}):
        user = api.user()
        _, secret = user.add_totp()
        user.step_up(secret)
        # The TOTP app satisfies the authenticator app; a phone and an app password are missing.
        step = user.call("POST", "/me/enrollment").body["step"]
        assert step["page"] == "phoneEntry"
        number = _phone()
        step = _submit(user, step, phoneType="mobile", phoneNumber=number, channel="sms").body["step"]
        step = _submit(user, step, code=_sms_code(api, number)).body["step"]
        assert step["page"] == "appPasswordName"
        shown = _submit(user, step, name="Outlook 2010").body["step"]
        assert shown["page"] == "appPasswordShow"
        password = shown["password"]
        assert re.fullmatch(r"[a-z]{24}", password)
        again = user.call("GET", "/me/enrollment").body["step"]
        assert again["page"] == "appPasswordShow" and again.get("password") is None
        step = _past_recovery_codes(user, _submit(user, again).body["step"])
        assert step["page"] == "success"
        listed = user.call("GET", "/me/app-passwords").body["appPasswords"]
        assert [p["name"] for p in listed] == ["Outlook 2010"] and password not in str(listed)


def test_skip_for_now_only_where_the_policy_allows_snoozing(api: Api) -> None:
    from tests.support_admin import policy_changed

    with policy_changed(api, {"registration": {"snoozeDays": 3, "maxSnoozes": 1}}):
        user = api.user()
        step = user.call("POST", "/me/enrollment").body["step"]
        assert "skip" in step["actions"]
        assert _status(api, user)["registrationRequired"] is True
        snoozed = _submit(user, step, "skip").body
        assert snoozed["status"] == "snoozed"
        assert _status(api, user)["registrationRequired"] is False
        api.advance(3 * 86400 + 1)
        assert _status(api, user)["registrationRequired"] is True
        user = api.user(user.username)  # three days later: a new sign-in, a new token
        step = user.call("POST", "/me/enrollment").body["step"]
        assert "skip" not in step["actions"]  # after the allowed snoozes it can no longer be skipped
        refused = user.call("POST", f"/me/enrollment/steps/{step['id']}", {"action": "skip"})
        assert refused.status == 400 and refused.error["code"] == "invalid_action"


def test_a_different_method_stands_in_for_the_app_and_the_phone_is_not_asked_twice(api: Api) -> None:
    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    choice = _submit(user, step, "differentMethod").body["step"]
    assert choice["types"] == ["phone"]  # not the app it stands in for
    step = _submit(user, choice, type="phone").body["step"]
    assert step["page"] == "phoneEntry"
    other = _submit(user, step, "differentMethod").body["step"]
    assert other["page"] == "methodChoice" and "phone" not in other["types"]
    step = _submit(user, other, "back").body["step"]
    number = _phone()
    step = _submit(user, step, phoneType="mobile", phoneNumber=number, channel="sms").body["step"]
    step = _submit(user, step, code=_sms_code(api, number)).body["step"]
    # The phone section is already done: a second method of another type fills it.
    assert step["page"] == "methodChoice" and step["types"] == ["authenticatorApp"]
    step = _submit(user, step, type="authenticatorApp").body["step"]
    step = _submit(user, step, "differentApp").body["step"]
    assert step["page"] == "softwareOathQr"
    step = _past_recovery_codes(user, _submit(user, step, code=user.code(step["secret"])).body["step"])
    assert step["page"] == "success"
    _submit(user, step, "done")
    assert user.info()["registration"] == {"required": False, "missing": []}
    assert _status(api, user)["registrationRequired"] is False


def test_qr_pages_carry_the_full_activation_url_and_the_users_name(api: Api) -> None:
    user = api.user()
    step = user.call("POST", "/me/enrollment").body["step"]
    step = _submit(user, _submit(user, step).body["step"]).body["step"]
    assert step["page"] == "authenticatorQr"
    assert step["activationUrl"].startswith(api.base) and step["activationUrl"].endswith("/devices/activate")
    read = user.call("GET", "/me/enrollment").body["step"]
    assert read["activationUrl"] == step["activationUrl"]
    oath = _submit(user, step, "differentApp").body["step"]
    assert oath["accountName"] == user.username
    assert user.call("GET", "/me/enrollment").body["step"]["accountName"] == user.username


def test_recovery_codes_are_offered_only_when_the_policy_says_so(api: Api) -> None:
    from tests.support_admin import policy_changed

    change = {
        "registration": {"requiredTypes": ["phone"], "requiredCount": 1},
        "recoveryCodes": {"enabled": True, "offerInWizard": False},
    }
    with policy_changed(api, change):
        user = api.user()
        step = user.call("POST", "/me/enrollment").body["step"]
        assert step["page"] == "phoneEntry"
        number = _phone()
        step = _submit(user, step, phoneType="mobile", phoneNumber=number, channel="sms").body["step"]
        step = _submit(user, step, code=_sms_code(api, number)).body["step"]
        assert step["page"] == "success"
        assert user.call("GET", "/me/recovery-codes").body["total"] == 0
