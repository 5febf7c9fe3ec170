"""Recent activity and "This wasn't me" (docs/RULES.md), as the user, an attacker and an administrator
see them: pages newest first behind an opaque cursor, masked entries, only the caller's own, kept
for the policy's activityDays; a report marks the user atRisk everywhere the sign-in service and
administrators look, forgets every remembered device, tells the user once on every channel and
alerts the administrators once, however often it is repeated; an administrator dismisses it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from local.runtime import Runtime
from securityinfo.kernel.clock import OFFSET_ENV
from tests.integration.test_remembered_devices import CHROME_ON_WINDOWS, remembered_token
from tests.support_admin import admin, mfa_status, policy_changed
from tests.support_api import Api, User
from tests.support_codes import (
    add_email,
    add_phone,
    delivered_to,
    new_address,
    new_number,
    outbox,
    step_up_by_phone,
)

REPORT_NOTICE = "reported as not you"
FIREFOX_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0"


def _page(user: User, query: str = "") -> dict[str, Any]:
    answer = user.call("GET", f"/me/activity{query}")
    assert answer.status == 200, answer.body
    return dict(answer.body)


def _all(user: User) -> list[dict[str, Any]]:
    return list(_page(user, "?limit=50")["activity"])


def _busy_user(api: Api, verifications: int = 5) -> tuple[User, str]:
    """A user with an authenticator app and a handful of sign-ins: several activity entries."""
    user = api.user()
    _, secret = user.add_totp()
    for _ in range(verifications):
        assert user.verify("mfa", secret).status == 200
    return user, secret


def _moto(runtime: Runtime, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=runtime.moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
    )


@pytest.fixture
def admin_inbox(runtime: Runtime) -> Iterator[Any]:
    """A queue subscribed to the administrators' alert topic, as an administrator's tooling would be;
    yields a function that returns the alerts about one user."""
    sns, sqs = _moto(runtime, "sns"), _moto(runtime, "sqs")
    [topic] = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith("-admin-alerts")]
    url = sqs.create_queue(QueueName=f"test-admin-alerts-{time.monotonic_ns()}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True)
    seen: list[dict[str, Any]] = []

    def alerts_about(user_id: str) -> list[dict[str, Any]]:
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                break
            seen.extend(json.loads(m["Body"]) for m in got)
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
            )
        return [n for n in seen if json.loads(n["Message"]).get("userId") == user_id]

    yield alerts_about
    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    sqs.delete_queue(QueueUrl=url)


def _wait(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _events_of(api: Api, user_id: str, detail_type: str) -> list[dict[str, Any]]:
    return [e for e in api.events() if e["detail-type"] == detail_type and e["detail"]["userId"] == user_id]


# --- paging ---------------------------------------------------------------------------------------


def test_pages_are_newest_first_and_the_cursor_continues(api: Api) -> None:
    user, _ = _busy_user(api, verifications=6)
    everything = _all(user)
    assert len(everything) >= 7  # the registration, its default, six sign-ins
    stamps = [(e["occurredAt"], e["id"]) for e in everything]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    assert everything[0]["type"] == "VerificationSucceeded"

    seen: list[str] = []
    page = _page(user, "?limit=3")
    pages = 0
    while True:
        pages += 1
        assert 1 <= len(page["activity"]) <= 3
        seen += [e["id"] for e in page["activity"]]
        if "nextCursor" not in page:
            break
        page = _page(user, f"?limit=3&cursor={page['nextCursor']}")
    assert seen == [e["id"] for e in everything]  # no gap, no repeat, same order
    assert pages == -(-len(everything) // 3)  # the last page is not an empty one

    default = _page(user)
    assert len(default["activity"]) == min(20, len(everything))


def test_a_page_is_one_query_of_the_users_partition(api: Api) -> None:
    user, _ = _busy_user(api, verifications=3)
    cursor = _page(user, "?limit=2")["nextCursor"]
    calls: list[str] = []
    original = BaseClient._make_api_call
    partition = f"USER#{user.user_id}"

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        # Every table call that names the user's partition (other threads' calls do not).
        if partition in json.dumps(params, default=str):
            calls.append(operation)
        return original(client, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        second = _page(user, f"?limit=2&cursor={cursor}")
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
    assert len(second["activity"]) == 2
    assert calls == ["Query"]


def test_a_bad_limit_or_cursor_is_a_400_that_says_what_to_do(api: Api) -> None:
    user, _ = _busy_user(api, verifications=2)
    for limit in ("0", "51", "abc", "-1", "2.5"):
        answer = user.call("GET", f"/me/activity?limit={limit}")
        assert answer.status == 400 and answer.error["field"] == "limit", (limit, answer.body)
    for cursor in ("garbage", "MTc0MDgzMDQwMDAwMDAwMWEyYjNjNGQ1ZTZmN2E4Yjku", "%00"):
        answer = user.call("GET", f"/me/activity?cursor={cursor}")
        assert answer.status == 400, answer.body
        assert answer.error["code"] == "invalid_cursor" and "from the start" in answer.error["message"]
    assert user.call("GET", "/me/activity?page=2").status == 400

    # A real cursor, edited or carried to another user's list, is refused too.
    cursor = _page(user, "?limit=1")["nextCursor"]
    edited = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    assert user.call("GET", f"/me/activity?cursor={edited}").error["code"] == "invalid_cursor"
    other = api.user()
    assert other.call("GET", f"/me/activity?cursor={cursor}").error["code"] == "invalid_cursor"


# --- what an entry says ---------------------------------------------------------------------------


def test_entries_are_told_in_words_masked_with_the_device_and_address(api: Api) -> None:
    user = api.user()
    number = new_number()
    phone = add_phone(user, number)
    step_up_by_phone(user, phone["id"], number)
    # Named after its own number: the name is masked in the activity too.
    renamed = user.call("PATCH", f"/me/methods/{phone['id']}", {"displayName": f"My {number}"})
    assert renamed.status == 200, renamed.body
    started = user.call("POST", "/me/verifications", {"purpose": "mfa"}, {"User-Agent": FIREFOX_ON_MAC})
    assert started.status == 201, started.body

    answer = user.call("GET", "/me/activity", headers={"User-Agent": CHROME_ON_WINDOWS})
    assert answer.status == 200
    text = json.dumps(answer.body, ensure_ascii=False)
    assert number not in text and number[1:] not in text and number[-7:] not in text
    entries = answer.body["activity"]
    added = next(e for e in entries if e["type"] == "MethodRegistered")
    assert added["summary"] == f"A phone (+1 ••••••••{number[-2:]}) was added."
    assert added["actor"] == "self" and added["reported"] is False
    assert added["method"] == {"id": phone["id"], "type": "phone", "displayName": phone["displayName"]}
    rename = next(e for e in entries if e["type"] == "MethodUpdated")
    assert rename["summary"] == f"Your phone was renamed to \u201cMy ••••{number[-2:]}\u201d."
    assert rename["method"]["displayName"] == f"My ••••{number[-2:]}"
    assert added["sourceIp"] and added["device"] == "Python-urllib"
    for entry in entries:
        assert entry["summary"].endswith(".") and entry["device"]


def test_the_device_comes_from_the_user_agent_of_the_change(api: Api) -> None:
    user = api.user()
    _, secret = user.add_totp()
    remembered_token(user, secret, CHROME_ON_WINDOWS)
    entry = _all(user)[0]
    assert entry["type"] == "VerificationSucceeded"
    assert entry["device"] == "Chrome on Windows"
    assert entry["summary"] == "Your authenticator app was used to sign in."
    assert entry["method"]["type"] == "softwareOath"


def test_an_administrators_action_names_the_administrator(api: Api) -> None:
    user, _ = _busy_user(api, verifications=1)
    assert admin(api).call("POST", f"/admin/users/{user.user_id}/unlock").status == 204
    entry = _all(user)[0]
    assert entry["type"] == "UserUnlocked" and entry["actor"] == "admin"
    assert "administrator" in entry["summary"]


# --- isolation ------------------------------------------------------------------------------------


def test_only_the_callers_own_activity(api: Api) -> None:
    alice, _ = _busy_user(api, verifications=1)
    bob, _ = _busy_user(api, verifications=1)
    alices = {e["id"] for e in _all(alice)}
    assert alices and alices.isdisjoint(e["id"] for e in _all(bob))
    some = next(iter(alices))
    # Another user's id answers as an unknown one does, and changes nothing.
    assert bob.call("POST", f"/me/activity/{some}/report", {}).status == 404
    assert bob.call("POST", "/me/activity/0000000000000000000000000000000/report").status == 404
    assert bob.call("POST", "/me/activity/not-an-id/report").status == 404
    assert alice.info()["riskState"] == "none" and bob.info()["riskState"] == "none"
    assert all(e["reported"] is False for e in _all(alice))


def test_administrators_read_a_users_activity_and_only_they_do(api: Api) -> None:
    user, _ = _busy_user(api, verifications=2)
    mine = _all(user)
    boss = admin(api)
    seen = boss.call("GET", f"/admin/users/{user.user_id}/activity?limit=2")
    assert seen.status == 200 and [e["id"] for e in seen.body["activity"]] == [e["id"] for e in mine[:2]]
    more = boss.call("GET", f"/admin/users/{user.user_id}/activity?limit=2&cursor={seen.body['nextCursor']}")
    assert [e["id"] for e in more.body["activity"]] == [e["id"] for e in mine[2:4]]
    # The user's own cursor is not the administrator's list's (each cursor is bound to its list).
    own = _page(user, "?limit=2")["nextCursor"]
    assert boss.call("GET", f"/admin/users/{user.user_id}/activity?cursor={own}").status == 200
    refused = user.call("GET", f"/admin/users/{user.user_id}/activity")
    assert refused.status == 403 and refused.error["code"] == "admin_required"
    assert user.call("POST", f"/admin/users/{user.user_id}/risk/dismiss").status == 403


# --- kept for activityDays ------------------------------------------------------------------------


@pytest.fixture
def clock_restored() -> Iterator[None]:
    """The service clock put back where it was after the test moved it (it only moves forward
    through /local/clock; every in-process function reads the offset from the environment)."""
    before = os.environ.get(OFFSET_ENV)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(OFFSET_ENV, None)
        else:
            os.environ[OFFSET_ENV] = before


def test_entries_expire_after_the_policys_activity_days(api: Api, clock_restored: None) -> None:
    with policy_changed(api, {"activityDays": 1}):
        user, _ = _busy_user(api, verifications=1)
        old = _all(user)
        assert old
        cursor = _page(user, "?limit=1")["nextCursor"]
        api.advance(86400 + 1)
        again = api.user(user.username)  # the local token lived 24 h on the service clock
        assert _all(again) == []  # expired at read time, whatever TTL has done
        # A cursor from before: the rest of the list has expired too, an empty last page.
        assert _page(again, f"?cursor={cursor}") == {"activity": []}
        assert again.call("POST", f"/me/activity/{old[0]['id']}/report").status == 404
        assert again.info()["riskState"] == "none"


# --- "This wasn't me" -----------------------------------------------------------------------------


def test_reporting_marks_the_user_at_risk_everywhere_once(api: Api, admin_inbox: Any) -> None:
    user = api.user()
    number, address = new_number(), new_address()
    mail = delivered_to(address)
    _, secret = user.add_totp()
    user.step_up(secret)
    add_phone(user, number)
    add_email(user, address)
    token = remembered_token(user, secret)
    assert mfa_status(api, user.user_id, token)["mfaRequired"] is False
    entry = next(e for e in _all(user) if e["type"] == "MethodRegistered" and e["method"]["type"] == "email")

    first = user.call("POST", f"/me/activity/{entry['id']}/report", {})
    assert first.status == 202 and first.body == {"riskState": "atRisk"}
    again = user.call("POST", f"/me/activity/{entry['id']}/report")
    assert again.status == 202 and again.body == first.body  # the same answer...

    assert user.info()["riskState"] == "atRisk"
    status = mfa_status(api, user.user_id, token)
    assert status["riskState"] == "atRisk"
    assert status["mfaRequired"] is True  # the remembered device asks again
    assert user.call("GET", "/me/remembered-devices").body["devices"] == []
    viewed = admin(api).call("GET", f"/admin/users/{user.user_id}/security-info")
    assert viewed.body["riskState"] == "atRisk" and viewed.body["riskSince"]
    reported = next(e for e in _all(user) if e["id"] == entry["id"])
    assert reported["reported"] is True
    assert _all(user)[0]["type"] in ("SuspiciousActivityReported", "RememberedDevicesForgotten")

    # Told on every channel the user has, once; the administrators alerted once.
    def notices(to: str) -> list[dict[str, Any]]:
        return [m for m in outbox(api, to) if REPORT_NOTICE in m["body"]]

    assert _wait(lambda: notices(number)) and _wait(lambda: notices(mail))
    [alert] = _wait(lambda: admin_inbox(user.user_id))
    assert user.user_id in json.loads(alert["Message"])["text"]
    [event] = _wait(lambda: _events_of(api, user.user_id, "SuspiciousActivityReported"))
    assert event["detail"]["reportedActivityId"] == entry["id"]
    assert event["detail"]["methodType"] == "email"

    # ...and nothing repeated: one event, one notice per channel, one alert.
    assert user.call("POST", f"/me/activity/{entry['id']}/report", {}).body == {"riskState": "atRisk"}
    time.sleep(1.5)
    assert len(_events_of(api, user.user_id, "SuspiciousActivityReported")) == 1
    assert len(notices(number)) == 1 and len(notices(mail)) == 1
    assert notices(number)[0]["channel"] == "sms" and notices(mail)[0]["channel"] == "email"
    assert len(admin_inbox(user.user_id)) == 1
    for message in outbox(api, number) + outbox(api, mail):
        assert number not in message["body"] and mail not in message["body"].lower()


def test_concurrent_reports_of_one_entry_make_one_report(api: Api) -> None:
    user, _ = _busy_user(api, verifications=1)
    entry = _all(user)[0]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: user.call("POST", f"/me/activity/{entry['id']}/report"), range(4)))
    assert {(a.status, a.body["riskState"]) for a in answers} == {(202, "atRisk")}
    assert _wait(lambda: _events_of(api, user.user_id, "SuspiciousActivityReported"))
    time.sleep(1.0)
    assert len(_events_of(api, user.user_id, "SuspiciousActivityReported")) == 1


def test_a_redelivered_report_alerts_and_tells_nothing_twice(
    api: Api, runtime: Runtime, admin_inbox: Any
) -> None:
    user = api.user()
    number = new_number()
    add_phone(user, number)
    entry = _all(user)[0]
    assert user.call("POST", f"/me/activity/{entry['id']}/report").status == 202
    [event] = _wait(lambda: _events_of(api, user.user_id, "SuspiciousActivityReported"))
    assert _wait(lambda: admin_inbox(user.user_id))
    assert _wait(lambda: [m for m in outbox(api, number) if REPORT_NOTICE in m["body"]])
    # EventBridge delivers at least once: the same event again sends no second alert or notice.
    assert runtime.functions.invoke("AlertAdminsFunction", event) == {"alerted": False}
    record = {"messageId": "redelivered", "body": json.dumps(event)}
    assert runtime.functions.invoke("NotifyUserFunction", {"Records": [record]}) == {"batchItemFailures": []}
    time.sleep(1.0)
    assert len(admin_inbox(user.user_id)) == 1
    assert len([m for m in outbox(api, number) if REPORT_NOTICE in m["body"]]) == 1


def test_an_administrator_dismisses_the_risk(api: Api) -> None:
    user, _ = _busy_user(api, verifications=1)
    entry = _all(user)[0]
    assert user.call("POST", f"/me/activity/{entry['id']}/report").status == 202
    boss = admin(api)
    assert boss.call("POST", f"/admin/users/{user.user_id}/risk/dismiss").status == 204
    assert user.info()["riskState"] == "none"
    assert mfa_status(api, user.user_id)["riskState"] == "none"
    assert boss.call("GET", f"/admin/users/{user.user_id}/security-info").body["riskSince"] is None
    assert boss.call("POST", f"/admin/users/{user.user_id}/risk/dismiss", {}).status == 204  # again: nothing
    [dismissed] = _wait(lambda: _events_of(api, user.user_id, "UserRiskDismissed"))
    assert dismissed["detail"]["actor"].startswith("admin:")
    time.sleep(1.0)
    assert len(_events_of(api, user.user_id, "UserRiskDismissed")) == 1
    assert _all(user)[0]["type"] == "UserRiskDismissed"
    # The old report stays reported: repeating it does not raise the risk again.
    assert user.call("POST", f"/me/activity/{entry['id']}/report").body == {"riskState": "none"}
    # A new report does.
    fresh = next(e for e in _all(user) if not e["reported"])
    assert user.call("POST", f"/me/activity/{fresh['id']}/report").body == {"riskState": "atRisk"}
    assert user.info()["riskState"] == "atRisk"
