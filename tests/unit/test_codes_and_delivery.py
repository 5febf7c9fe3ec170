"""Pure pieces of phones, email and questions: masking, number and address checks, codes, message
text, the SNS adapter, failed deliveries, the senders behind the delivery topic, notice wording."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import pytest

from securityinfo.kernel import masking
from securityinfo.kernel.clock import FixedClock
from securityinfo.kernel.context import Caller, Deps
from securityinfo.kernel.crypto import KeyedHasher
from securityinfo.kernel.delivery import CODE, NOTICE, DeliveryError, MemoryDelivery, Message, SnsDelivery
from securityinfo.kernel.errors import DeliveryFailed
from securityinfo.methods import onetime
from securityinfo.methods.security_questions import hash_answer, normalize
from securityinfo.notices import notifications, senders
from securityinfo.storage import outbox
from tests.support_events import EVENTS_DIR, validate_event

COMMON = json.loads((EVENTS_DIR / "common.schema.json").read_text())["$defs"]


def deps(delivery: MemoryDelivery | None = None) -> Deps:
    box = delivery or MemoryDelivery()
    return Deps(
        clock=FixedClock(),
        secrets=None,  # type: ignore[arg-type]
        hasher_factory=lambda: KeyedHasher(b"k" * 32),
        delivery_factory=lambda: box,
    )


# Events a unit under test wrote through the outbox (no table here): (detail type, detail).
RECORDED: list[tuple[str, dict[str, Any]]] = []


@pytest.fixture(autouse=True)
def _outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    RECORDED.clear()
    monkeypatch.setattr(
        outbox, "record", lambda deps, detail_type, detail, **_: RECORDED.append((detail_type, dict(detail)))
    )


CALLER = Caller(user_id="u1", source_ip="203.0.113.9", user_agent="pytest", correlation_id="c-1")


# --- masking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+14255550112", "+1 ••••••••12"),
        ("+447700900123", "+44 ••••••••23"),
        ("+353861234567", "+353 •••••••67"),
        ("+79161234567", "+7 ••••••••67"),
        ("+35312345678", "+353 ••••••78"),
    ],
)
def test_phone_numbers_are_masked_to_country_code_and_last_two_digits(number: str, masked: str) -> None:
    assert masking.mask_phone(number) == masked
    assert re.fullmatch(COMMON["maskedPhone"]["pattern"], masked)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("alice@contoso.com", "a•••@contoso.com"),
        ("b@x.io", "b•••@x.io"),
        ("Zed.Q@Sub.Contoso.com", "Z•••@Sub.Contoso.com"),
    ],
)
def test_addresses_are_masked_to_first_character_and_domain(address: str, masked: str) -> None:
    assert masking.mask_email(address) == masked
    assert re.fullmatch(COMMON["maskedEmail"]["pattern"], masked)


@pytest.mark.parametrize(
    "number", ["+14255550100", "+442071838750", "+8613800138000", "+35312345678", "+12345678901234"]
)
def test_valid_e164_numbers(number: str) -> None:
    assert masking.phone_problem(number) is None


@pytest.mark.parametrize(
    "number",
    [
        "14255550100",
        "+1 4255550100",
        "+1-425-555-0100",
        "+04255550100",
        "+1425555",
        "+9991234567",
        "+1" + "9" * 15,
    ],
)
def test_invalid_numbers(number: str) -> None:
    assert masking.phone_problem(number)


def test_email_addresses() -> None:
    assert masking.email_problem("megan@contoso.com") is None
    assert masking.email_problem("first.last+tag@mail.contoso.co.uk") is None
    for bad in ("megan", "megan@contoso", "@contoso.com", "a b@contoso.com", "megan@@contoso.com"):
        assert masking.email_problem(bad), bad
    assert masking.normalize_email("Megan@Contoso.COM") == "Megan@contoso.com"


# --- codes ----------------------------------------------------------------------------------------


def test_codes_are_random_digits_of_the_right_length() -> None:
    six = {onetime.new_code(6) for _ in range(200)}
    assert all(re.fullmatch(r"\d{6}", c) for c in six) and len(six) > 190
    assert all(re.fullmatch(r"\d{8}", onetime.new_code(8)) for _ in range(50))


def test_a_code_hash_is_keyed_and_bound_to_its_registration_or_verification() -> None:
    d = deps()
    digest = onetime.digest(d, "r1", "123456")
    assert "123456" not in digest
    assert onetime.matches(d, "r1", "123456", digest)
    assert not onetime.matches(d, "r2", "123456", digest)  # another registration's hash
    assert not onetime.matches(d, "r1", "123457", digest)
    assert not onetime.matches(d, "r1", "123456", None)


def test_message_text_by_channel() -> None:
    text, subject = onetime.compose("sms", "123456", "Contoso")
    assert text.startswith("123456 is your Contoso verification code") and not subject
    text, _ = onetime.compose("voice", "123456", "Contoso")
    assert "1, 2, 3, 4, 5, 6" in text and text.count("1, 2, 3, 4, 5, 6") == 2  # read out twice
    text, subject = onetime.compose("email", "12345678", "Contoso")
    assert "12345678" in text and subject == "Your Contoso verification code"


def test_cooldown() -> None:
    assert onetime.cooldown_left(None, 100.0) == 0
    assert onetime.cooldown_left(100.0, 100.0) == 30
    assert onetime.cooldown_left(100.0, 129.5) == 1
    assert onetime.cooldown_left(100.0, 130.0) == 0


# --- delivery -------------------------------------------------------------------------------------


class FakeSns:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def publish(self, **kwargs: Any) -> dict[str, str]:
        if self.fail:
            raise self.fail
        self.calls.append(kwargs)
        return {"MessageId": "m1"}


def test_sms_goes_to_the_number_as_a_transactional_sms() -> None:
    sns = FakeSns()
    SnsDelivery(sns, "arn:topic").send(Message("sms", "+14255550100", "hello"))
    [call] = sns.calls
    assert call["PhoneNumber"] == "+14255550100" and "TopicArn" not in call
    assert call["MessageAttributes"]["AWS.SNS.SMS.SMSType"]["StringValue"] == "Transactional"


def test_voice_and_email_go_to_the_delivery_topic_with_channel_and_to() -> None:
    sns = FakeSns()
    meta = {"userId": "u1", "methodType": "email", "notAllowed": "x"}
    SnsDelivery(sns, "arn:topic").send(Message("email", "a@b.co", "hi", "Subject", CODE, meta))
    [call] = sns.calls
    assert call["TopicArn"] == "arn:topic" and call["Subject"] == "Subject"
    attributes = {k: v["StringValue"] for k, v in call["MessageAttributes"].items()}
    assert attributes == {
        "channel": "email",
        "to": "a@b.co",
        "kind": "code",
        "userId": "u1",
        "methodType": "email",
    }


def test_a_provider_error_becomes_a_delivery_error_with_its_code_only() -> None:
    class Refused(Exception):
        response = {"Error": {"Code": "InvalidParameter", "Message": "Invalid number +14255550100"}}

    with pytest.raises(DeliveryError) as caught:
        SnsDelivery(FakeSns(Refused()), "arn:topic").send(Message("sms", "+14255550100", "x"))
    assert caught.value.error_type == "InvalidParameter"
    assert "+1425" not in str(caught.value)


def test_a_failed_send_emits_code_delivery_failed_undoes_and_says_resend_or_choose_another() -> None:
    box = MemoryDelivery()
    box.fail_with = "Throttling"
    d = deps(box)
    undone: list[bool] = []
    meta = {
        "userId": "u1",
        "methodType": "phone",
        "methodId": "m1",
        "purpose": "mfa",
        "verificationId": "m1.v1",
    }
    outgoing = [Message("sms", "+14255550112", "123456 is your code", meta=meta)]
    with pytest.raises(DeliveryFailed) as caught:
        onetime.deliver(d, CALLER, 1_700_000_000.0, outgoing, undo=lambda: undone.append(True))
    assert undone == [True]
    body = caught.value.body()["error"]
    assert caught.value.status == 502 and body["code"] == "code_delivery_failed"  # type: ignore[index]
    assert "+1 ••••••••12" in body["message"] and "choose another method" in body["message"]  # type: ignore[index]
    [(detail_type, detail)] = RECORDED
    assert detail_type == "CodeDeliveryFailed"
    validate_event(detail_type, detail)
    assert detail["sentTo"] == "+1 ••••••••12" and detail["errorType"] == "Throttling"
    assert "123456" not in json.dumps(detail)


def test_a_failed_resend_names_what_to_resend() -> None:
    box = MemoryDelivery()
    box.fail_with = "Throttling"
    with pytest.raises(DeliveryFailed) as caught:
        onetime.deliver(
            deps(box),
            CALLER,
            0.0,
            [Message("email", "a@b.co", "x", meta={"userId": "u1"})],
            resend={"verificationId": "m.v"},
        )
    assert caught.value.body()["error"]["verificationId"] == "m.v"  # type: ignore[index]


# --- the senders behind the topic -----------------------------------------------------------------


def sns_event(channel: str, to: str, kind: str = CODE, **meta: str) -> dict[str, Any]:
    attributes = {"channel": channel, "to": to, "kind": kind, **meta}
    return {
        "Records": [
            {
                "Sns": {
                    "MessageId": "sns-1",
                    "Message": "Your code is 1, 2, 3, 4, 5, 6.",
                    "Subject": None,
                    "MessageAttributes": {k: {"Type": "String", "Value": v} for k, v in attributes.items()},
                }
            }
        ]
    }


class RecordingProvider:
    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, text: str, subject: str) -> None:
        self.sent.append((to, text, subject))


def test_a_sender_delivers_its_own_channel_only() -> None:
    provider = RecordingProvider("voice")
    d = deps()
    assert senders.handle_sns(d, sns_event("voice", "+14255550100", userId="u1"), provider) == 1
    assert senders.handle_sns(d, sns_event("email", "a@b.co", userId="u1"), provider) == 0
    assert provider.sent == [("+14255550100", "Your code is 1, 2, 3, 4, 5, 6.", "")]


def test_an_unconfigured_provider_reports_the_code_as_not_delivered() -> None:
    d = deps()
    event = sns_event(
        "voice",
        "+14255550112",
        userId="u1",
        methodType="phone",
        methodId="m1",
        registrationId="r1",
        correlationId="c9",
    )
    assert senders.handle_sns(d, event, senders.NotConfigured("voice")) == 0
    [(detail_type, detail)] = RECORDED
    validate_event(detail_type, detail)
    assert detail["actor"] == "system" and detail["errorType"] == "NotConfigured"
    assert detail["registrationId"] == "r1" and detail["sentTo"] == "+1 ••••••••12"


def test_a_notice_that_fails_is_logged_not_reported_as_a_code() -> None:
    d = deps()
    senders.handle_sns(d, sns_event("email", "a@b.co", NOTICE, userId="u1"), senders.NotConfigured("email"))
    assert RECORDED == []


def test_the_voice_call_is_a_twilio_style_request(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Reply:
        def __enter__(self) -> Reply:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def read(self) -> bytes:
            return b"{}"

    def urlopen(request: Any, timeout: float) -> Reply:
        seen["url"], seen["timeout"] = request.full_url, timeout
        seen["auth"] = request.get_header("Authorization")
        seen["form"] = urllib.parse.parse_qs(request.data.decode())
        return Reply()

    monkeypatch.setattr(senders.urllib.request, "urlopen", urlopen)
    caller = senders.HttpVoiceCall("https://voice.example/Calls.json", "+15550001111", ("sid", "token"))
    caller.send("+14255550100", "Your code is 1 & 2 <3>", "")
    assert seen["url"] == "https://voice.example/Calls.json" and seen["timeout"] <= 10
    assert seen["auth"].startswith("Basic ")
    assert seen["form"]["To"] == ["+14255550100"] and seen["form"]["From"] == ["+15550001111"]
    assert seen["form"]["Twiml"] == [
        '<Response><Say language="en-US">Your code is 1 &amp; 2 &lt;3&gt;</Say></Response>'
    ]
    with pytest.raises(ValueError):
        senders.HttpVoiceCall("http://voice.example/Calls.json", "+1", ("a", "b"))


# --- security answers and notices -----------------------------------------------------------------


def test_answers_are_normalized_and_slow_hashed_with_a_salt() -> None:
    assert normalize("  Blue \t  WHALE ") == "blue whale"
    assert normalize("Ｒｅｘ") == "rex"  # full-width letters (NFKC)
    salt = b"s" * 16
    assert hash_answer("Blue Whale", salt) == hash_answer(" blue   whale", salt)
    assert hash_answer("Blue Whale", salt) != hash_answer("Blue Whale", b"t" * 16)


def test_notice_wording() -> None:
    base = {"userId": "u1", "actor": "self", "occurredAt": "2025-03-01T12:00:00Z"}
    added = notifications.notice_text(
        "MethodRegistered", {**base, "methodType": "email", "after": {"emailAddress": "a•••@contoso.com"}}
    )
    assert (
        str(added)
        == "An email address (a•••@contoso.com) was added to your account on 2025-03-01 at 12:00 UTC."
    )
    by_admin = notifications.notice_text(
        "MethodRemoved", {**base, "actor": "admin:carol", "methodType": "phone"}
    )
    assert by_admin is not None and "by an administrator" in str(by_admin)
    # A default that changed because of an add or a removal has its own notice already.
    first = {**base, "before": {"defaultMethodId": None}, "after": {"defaultMethodId": "m1"}}
    assert notifications.notice_text("DefaultMethodChanged", first) is None
    chosen = {**base, "before": {"defaultMethodId": "m1"}, "after": {"defaultMethodId": "m2"}}
    assert notifications.notice_text("DefaultMethodChanged", chosen)
    wrong = {**base, "methodType": "softwareOath", "reason": "wrong_answer"}
    assert notifications.notice_text("VerificationFailed", wrong) is None
    assert notifications.notice_text("VerificationFailed", {**wrong, "reason": "replay"})
    assert notifications.notice_text("VerificationSucceeded", base) is None
    # A set deleted by the user or an administrator is told; one deleted by a clear is part of the
    # clear's own notice.
    deleted = {**base, "methodType": "recoveryCodes", "remaining": 7}
    assert str(notifications.notice_text("RecoveryCodesDeleted", deleted)) == (
        "Your recovery codes were deleted on 2025-03-01 at 12:00 UTC."
    )
    cleared = {**deleted, "actor": "admin:carol", "reason": "security_info_cleared"}
    assert notifications.notice_text("RecoveryCodesDeleted", cleared) is None
