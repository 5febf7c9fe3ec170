"""What the functions log never holds a TOTP secret or a code that was used."""

import re

from tests.conftest import LogCapture
from tests.support_api import Api


def test_logs_hold_no_secret_and_no_used_code(api: Api, log_capture: LogCapture) -> None:
    start = len(log_capture.lines)
    user = api.user()
    begun = user.call("POST", "/me/methods", {"type": "softwareOath"}).body
    secret = begun["secret"]
    codes = [user.code(secret)]
    user.call("POST", f"/me/methods/registrations/{begun['registrationId']}", {"code": codes[0]})
    vid = user.call("POST", "/me/verifications", {"purpose": "stepUp"}).body["verificationId"]
    user.call("POST", f"/me/verifications/{vid}", {"code": codes[0]})  # a replay, logged as such
    codes.append(user.code(secret))
    token = user.call("POST", f"/me/verifications/{vid}", {"code": codes[1]}).body["stepUpToken"]
    lines = log_capture.lines[start:]
    assert lines, "the functions should have logged something"
    text = "\n".join(lines)
    assert "totp_replay_refused" in text
    for secret_value in (secret, secret.lower(), token):
        assert secret_value not in text
    for code in codes:
        # As a token of its own: six digits can occur by chance inside an id or a timestamp.
        assert not re.search(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])", text), code
