"""What the functions log about phones, email and security questions: masked destinations only,
never a code, a full number or address, or a security answer."""

from __future__ import annotations

import time

from tests.conftest import LogCapture
from tests.support_api import Api
from tests.support_codes import (
    add_email,
    add_phone,
    add_questions,
    begin_phone,
    delivered_to,
    last_code,
    new_address,
    new_number,
    outbox,
    step_up_by_phone,
    wrong,
)


def test_logs_hold_no_code_number_address_or_answer(api: Api, log_capture: LogCapture) -> None:
    start = len(log_capture.lines)
    user = api.user()
    mobile, office, address = new_number(), new_number(), new_address()
    phone = add_phone(user, mobile)
    step_up_by_phone(user, phone["id"], mobile)
    add_phone(user, office, "office")  # a call: the voice sender runs (and logs) too
    email = add_email(user, address)
    add_questions(user, {"q1": "Purple Giraffe", "q2": "Lisbon Harbour", "q6": "Zebedee"})
    rid = begin_phone(user, new_number(), "alternateMobile").body["registrationId"]
    assert user.call("POST", f"/me/methods/registrations/{rid}", {"code": "000000"}).status in (400, 200)
    assert user.call("DELETE", f"/me/methods/{email['id']}").status == 204
    time.sleep(2)  # the notifier and the senders log asynchronously

    codes = {m["body"] for to in (mobile, office, delivered_to(address)) for m in outbox(api, to)}
    sent_codes = {last_code(api, mobile), last_code(api, office), last_code(api, delivered_to(address))}
    lines = log_capture.lines[start:]
    text = "\n".join(lines)
    assert "code_sent" in text and "notice_sent" in text
    assert f"+1 ••••••••{mobile[-2:]}" in text  # masked is fine
    for secret in (mobile, office, mobile[1:], office[1:], address, address.lower(), "Purple Giraffe",
                   "purple giraffe", "Zebedee", *sent_codes, wrong(next(iter(sent_codes)))):  # fmt: skip
        assert secret not in text, secret
    for body in codes:
        assert body not in text
