"""Recent activity's pieces that need no table: the device from a user agent, free text masked, an
entry in words for every detail type, and the page cursor (bound to its list, refused when edited)."""

from __future__ import annotations

import json

import pytest

from securityinfo.kernel.clock import FixedClock
from securityinfo.kernel.context import Deps
from securityinfo.kernel.crypto import KeyedHasher
from securityinfo.kernel.errors import InvalidCursor
from securityinfo.kernel.masking import mask_text
from securityinfo.kernel.useragent import device_name
from securityinfo.manage import activity
from securityinfo.storage import outbox
from tests.support_events import known_detail_types
from tests.unit.test_event_schemas import sample

AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36": "Chrome on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": "Edge on Windows",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0": "Firefox on macOS",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1": "Safari on iPhone",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36": "Chrome on Android",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 "
    "Safari/537.36": "Chrome on Linux",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36": "Chrome on ChromeOS",
    "Python-urllib/3.11": "Python-urllib",
    "curl/8.5.0": "curl",
    "": "Unknown device",
}


@pytest.mark.parametrize(("agent", "name"), AGENTS.items())
def test_the_device_is_named_from_the_user_agent(agent: str, name: str) -> None:
    assert device_name(agent) == name


def test_no_user_agent_is_an_unknown_device() -> None:
    assert device_name(None) == "Unknown device"
    assert device_name("\x00\x01") == "Unknown device"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("My phone", "My phone"),
        ("+14255550123", "••••23"),
        ("Work +1 (425) 555-0123", "Work ••••23"),
        ("4255550123 mobile", "••••23 mobile"),
        ("megan@contoso.com", "m•••@contoso.com"),
        ("YubiKey 5 NFC 2024", "YubiKey 5 NFC 2024"),  # a year or a model is not a number to hide
    ],
)
def test_free_text_has_its_numbers_and_addresses_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("detail_type", sorted(known_detail_types()))
def test_every_detail_type_is_told_in_a_sentence(detail_type: str) -> None:
    detail = sample(detail_type)
    sentence = activity.summary(detail_type, detail)
    assert sentence[:1].isupper() and sentence.endswith(".")
    assert sentence != "Your security info changed."  # each type has its own words
    item = outbox.activity("u1", detail_type, detail, 1_740_830_400.0, 90)
    view = activity.view(item)
    assert view["summary"] == sentence and view["type"] == detail_type
    assert view["actor"] in ("self", "admin", "system")
    text = json.dumps(view, ensure_ascii=False)
    assert "userAgent" not in text and "correlationId" not in text


def test_a_phone_number_in_a_detail_is_never_shown_whole() -> None:
    detail = {
        **sample("MethodUpdated"),
        "after": {"displayName": "+14255550123", "phoneNumber": "+1 ••••••••23"},
    }
    view = activity.view(outbox.activity("u1", "MethodUpdated", detail, 1_740_830_400.0, 90))
    assert "4255550123" not in json.dumps(view)
    assert view["method"]["displayName"] == "••••23"


def _deps() -> Deps:
    return Deps(
        clock=FixedClock(1_740_830_400.0),
        secrets=None,  # type: ignore[arg-type]
        hasher_factory=lambda: KeyedHasher(b"k" * 32),
    )


def test_a_cursor_continues_only_the_list_it_came_from() -> None:
    deps = _deps()
    activity_id = outbox.new_activity_id(1_740_830_400.0)
    cursor = activity.encode_cursor(deps, "alice", activity_id)
    assert activity.decode_cursor(deps, "alice", cursor) == activity_id
    with pytest.raises(InvalidCursor):
        activity.decode_cursor(deps, "bob", cursor)
    other = outbox.new_activity_id(1_740_830_401.0)
    forged = activity.encode_cursor(deps, "alice", other)[:-4] + cursor[-4:]
    for bad in (forged, cursor + "A", "", "!!!", "a" * 500, "é"):
        with pytest.raises(InvalidCursor) as refused:
            activity.decode_cursor(deps, "alice", bad)
        assert refused.value.field == "cursor" and "from the start" in refused.value.message
