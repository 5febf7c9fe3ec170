"""One transaction per sent code (docs/RULES.md): every route that sends a code (registration, its
resend, verification start for mfa, sspr and step-up, its resend, the phone-number change) makes
ONE TransactWriteItems that saves the registration or verification with the code's hash and moves
the user's and the destination's send windows, and reads no send window before it. A refused send
writes nothing; a send the provider refuses commits its send, then undoes the item and records
CodeDeliveryFailed, as before. Counted at botocore's ``_make_api_call``, as ``make bench`` counts."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.client import BaseClient

from tests.support_api import Answer, Api, User
from tests.support_codes import (
    add_email,
    add_phone,
    begin_phone,
    delivered_to,
    new_address,
    new_number,
    outbox,
)


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    failed: bool
    function: str | None

    def keys(self) -> list[tuple[str, str, str]]:
        """(operation kind, pk, sk) of each item a TransactWriteItems or TransactGetItems touches,
        or of the one item of a single-item call."""
        if self.operation in ("TransactWriteItems", "TransactGetItems"):
            out = []
            for entry in self.params["TransactItems"]:
                for kind, body in entry.items():
                    key = body.get("Key") or body.get("Item")
                    out.append((kind, key["pk"]["S"], key["sk"]["S"]))
            return out
        key = self.params.get("Key") or self.params.get("Item") or {}
        if "pk" in key:
            return [(self.operation, key["pk"]["S"], key["sk"]["S"])]
        return []


class Meter:
    """DynamoDB calls of this process (the local runtime runs the functions in-process)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def record(self, operation: str, params: dict[str, Any], failed: bool) -> None:
        from local.functions import current_function

        with self._lock:
            self.calls.append(Call(operation, params, failed, current_function()))

    def during(self, request: Callable[[], Answer]) -> tuple[Answer, list[Call]]:
        with self._lock:
            start = len(self.calls)
        answer = request()
        with self._lock:
            return answer, self.calls[start:]


@pytest.fixture
def meter(runtime: object) -> Iterator[Meter]:
    original = BaseClient._make_api_call
    found = Meter()

    def metered(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_id != "DynamoDB":
            return original(client, operation, params)
        try:
            answer = original(client, operation, params)
        except Exception:
            found.record(operation, params, failed=True)
            raise
        found.record(operation, params, failed=False)
        return answer

    BaseClient._make_api_call = metered  # type: ignore[method-assign]
    yield found
    BaseClient._make_api_call = original  # type: ignore[method-assign]


# The voice and email senders: Lambdas behind the delivery topic, after the request's send (the
# local email sender has no provider and records CodeDeliveryFailed, as a real one would on a refusal).
SENDERS = ("SendEmailFunction", "SendVoiceFunction")


def _of(user: User, calls: list[Call]) -> list[Call]:
    """The request's calls that touch ``user``'s partition (other tests' background work and the
    senders' are left out)."""
    pk = f"USER#{user.user_id}"
    return [c for c in calls if c.function not in SENDERS and any(k[1] == pk for k in c.keys())]


def _one_transaction_per_send(user: User, calls: list[Call], item_prefix: str) -> None:
    mine = _of(user, calls)
    writes = [c for c in mine if c.operation == "TransactWriteItems"]
    assert len(writes) == 1, [c.keys() for c in mine]
    [write] = writes
    assert not write.failed
    keys = write.keys()
    assert any(pk == f"USER#{user.user_id}" and sk.startswith(item_prefix) for _, pk, sk in keys), keys
    # Both send windows move in that same transaction: the user's hour and the destination's day.
    windows = {pk.split("#")[0] for _, pk, sk in keys if sk == "SENDS"}
    assert windows == {"USER", "DEST"}, keys
    # And no send window is read before it: the limit is a condition of the write.
    read_windows = [
        c.keys()
        for c in calls
        if c.operation != "TransactWriteItems" and any(k[2] == "SENDS" for k in c.keys())
    ]
    assert not read_windows, read_windows
    # Nothing else writes for a send that went out.
    others = [c.operation for c in mine if c.operation in ("PutItem", "UpdateItem", "DeleteItem")]
    assert not others, others


@pytest.mark.parametrize(
    ("phone_type", "channel"), [("mobile", "sms"), ("mobile", "voice"), ("office", "voice")]
)
def test_a_phone_registration_sends_its_code_with_one_transaction(
    api: Api, meter: Meter, phone_type: str, channel: str
) -> None:
    user = api.user()
    begun, calls = meter.during(lambda: begin_phone(user, new_number(), phone_type, channel))
    assert begun.status == 201 and begun.body["channel"] == channel, begun.body
    _one_transaction_per_send(user, calls, "REG#")


def test_an_email_registration_and_its_resend_send_with_one_transaction_each(api: Api, meter: Meter) -> None:
    user = api.user()
    address = new_address()
    body = {"type": "email", "emailAddress": address}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    begun, calls = meter.during(lambda: user.call("POST", "/me/methods", body, headers=headers))
    assert begun.status == 201, begun.body
    _one_transaction_per_send(user, calls, "REG#")
    # The idempotency record is saved in that same transaction.
    [write] = [c for c in _of(user, calls) if c.operation == "TransactWriteItems"]
    assert any(sk.startswith("IDEM") for _, _, sk in write.keys()), write.keys()
    api.advance(31)
    path = f"/me/methods/registrations/{begun.body['registrationId']}/resend"
    resent, calls = meter.during(
        lambda: user.call("POST", path, headers={"Idempotency-Key": str(uuid.uuid4())})
    )
    assert resent.status == 202, resent.body
    _one_transaction_per_send(user, calls, "REG#")
    assert len(outbox(api, delivered_to(address))) == 2


def test_a_phone_registration_resend_sends_with_one_transaction(api: Api, meter: Meter) -> None:
    user = api.user()
    rid = begin_phone(user, new_number()).body["registrationId"]
    api.advance(31)
    resent, calls = meter.during(lambda: user.call("POST", f"/me/methods/registrations/{rid}/resend"))
    assert resent.status == 202, resent.body
    _one_transaction_per_send(user, calls, "REG#")


@pytest.mark.parametrize("purpose", ["mfa", "sspr", "stepUp"])
def test_a_verification_by_phone_and_its_resend_send_with_one_transaction_each(
    api: Api, meter: Meter, purpose: str
) -> None:
    user = api.user()
    phone = add_phone(user, new_number())
    start = {"purpose": purpose, "methodId": phone["id"]}
    started, calls = meter.during(lambda: user.call("POST", "/me/verifications", start))
    assert started.status == 201, started.body
    _one_transaction_per_send(user, calls, "VERIF#")
    api.advance(31)
    path = f"/me/verifications/{started.body['verificationId']}/resend"
    resent, calls = meter.during(lambda: user.call("POST", path))
    assert resent.status == 202, resent.body
    _one_transaction_per_send(user, calls, "VERIF#")


def test_a_verification_by_email_sends_with_one_transaction(api: Api, meter: Meter) -> None:
    """Password reset by email included (sspr)."""
    user = api.user()
    method = add_email(user, new_address())
    start = {"purpose": "sspr", "methodId": method["id"]}
    started, calls = meter.during(lambda: user.call("POST", "/me/verifications", start))
    assert started.status == 201 and started.body["challenge"]["channel"] == "email", started.body
    _one_transaction_per_send(user, calls, "VERIF#")


def test_a_phone_number_change_sends_with_one_transaction(api: Api, meter: Meter) -> None:
    user = api.user()
    user.step_up(user.add_totp()[1])
    phone = add_phone(user, new_number())
    change = {"phoneNumber": new_number()}
    changed, calls = meter.during(lambda: user.call("PATCH", f"/me/methods/{phone['id']}", change))
    assert changed.status == 202, changed.body
    _one_transaction_per_send(user, calls, "REG#")


def test_a_refused_send_writes_nothing(api: Api, meter: Meter) -> None:
    """The sixth send of the hour: its one transaction is cancelled by the user window's condition,
    and only then is the window read, for the answer's retryAfter."""
    user = api.user()
    number = new_number()
    rid = begin_phone(user, number).body["registrationId"]
    for _ in range(4):
        api.advance(31)
        assert user.call("POST", f"/me/methods/registrations/{rid}/resend").status == 202
    other = new_number()
    refused, calls = meter.during(lambda: begin_phone(user, other))
    assert refused.status == 429 and refused.error["code"] == "too_many_codes", refused.body
    assert 3600 - 5 * 31 - 1 <= refused.error["retryAfter"] <= 3600 - 4 * 31 + 1, refused.body
    mine = _of(user, calls)
    writes = [c for c in mine if c.operation == "TransactWriteItems"]
    assert len(writes) == 1 and writes[0].failed, [c.keys() for c in mine]
    assert not [c for c in mine if c.operation in ("PutItem", "UpdateItem", "DeleteItem")]
    assert outbox(api, other) == []
    # The window read only after the refusal: one item, the user's.
    reads = [
        c.keys()
        for c in calls
        if any(k[2] == "SENDS" for k in c.keys()) and c.operation != "TransactWriteItems"
    ]
    assert reads == [[("GetItem", f"USER#{user.user_id}", "SENDS")]], reads


def test_a_send_the_provider_refuses_undoes_its_item_and_records_the_failure(api: Api, meter: Meter) -> None:
    """As before: the send's transaction commits (it counts against the limits), the text fails,
    the registration and its idempotency record are deleted, CodeDeliveryFailed is written on its
    own, and 502 says how to go on; the same key then sends again."""
    user = api.user()
    number = new_number()
    body = {"type": "phone", "phoneType": "mobile", "phoneNumber": number, "channel": "sms"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.call("POST", "/local/faults", {"service": "sms", "failNext": 20}).status == 200
    try:
        failed, calls = meter.during(lambda: user.call("POST", "/me/methods", body, headers=headers))
    finally:
        api.call("POST", "/local/faults", {"service": "sms", "failNext": 0})
    assert failed.status == 502 and failed.error["code"] == "code_delivery_failed", failed.body
    mine = _of(user, calls)
    writes = [c for c in mine if c.operation == "TransactWriteItems"]
    assert len(writes) == 2 and not any(c.failed for c in writes), [c.keys() for c in mine]
    send, event = writes
    assert {pk.split("#")[0] for _, pk, sk in send.keys() if sk == "SENDS"} == {"USER", "DEST"}
    assert [sk[:4] for _, _, sk in event.keys()] == ["ACT#"], event.keys()
    deleted = sorted(sk[:4] for c in mine if c.operation == "DeleteItem" for _, _, sk in c.keys())
    assert deleted == ["IDEM", "REG#"], deleted
    again = user.call("POST", "/me/methods", body, headers=headers)
    assert again.status == 201, again.body
    assert len(outbox(api, number)) == 1
