"""The pages' texts (web/js/i18n.js): one catalogue per language, web/i18n/<language>.json, with the
same keys, and every key the pages use is in both. A key is the English text as the code writes it
(``t("Security info")``, ``data-i18n="My Sign-Ins"`` in the HTML); en.json maps it to the English the
page shows (itself, or plural forms), nl.json to the Dutch."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
LANGUAGES = ("en", "nl")
# t("...") with a literal key: the pages write every key this way, so a scan finds them all.
_CALL = re.compile(r"""\bt\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
_ATTR = re.compile(r"""data-i18n(?:-aria-label)?="([^"]*)\"""")
_PARAM = re.compile(r"\{(\w+)\}")


def catalogue(language: str) -> dict[str, object]:
    data = json.loads((WEB / "i18n" / f"{language}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def used_keys() -> dict[str, str]:
    """Every key the pages use, with where it was first seen."""
    found: dict[str, str] = {}
    for path in sorted((WEB / "js").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        for match in _CALL.finditer(text):
            key = json.loads(f'"{match.group(1)}"')  # the JS string's escapes (\u2026, \")
            line = text.count("\n", 0, match.start()) + 1
            found.setdefault(key, f"{path.relative_to(WEB)}:{line}")
    for path in sorted(WEB.glob("*.html")):
        for match in _ATTR.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(html.unescape(match.group(1)), str(path.relative_to(WEB)))
    return found


def forms(value: object) -> list[str]:
    """A text, or each plural form of one."""
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(value)]


def test_the_scan_finds_the_pages_texts() -> None:
    keys = used_keys()
    assert "Security info" in keys and "My Sign-Ins" in keys and "Add sign-in method" in keys
    assert len(keys) > 400


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_pages_use_is_in_the_catalogue(language: str) -> None:
    texts = catalogue(language)
    missing = {key: where for key, where in used_keys().items() if key not in texts}
    assert missing == {}, f"keys missing from web/i18n/{language}.json: {missing}"


def test_both_catalogues_have_the_same_keys_and_no_unused_ones() -> None:
    en, nl = catalogue("en"), catalogue("nl")
    assert sorted(set(en) ^ set(nl)) == []
    # A key no page uses any more is dead weight for translators (the language names are the
    # picker's, in their own language, not keys).
    assert sorted(set(en) - set(used_keys())) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_text_has_the_parameters_of_its_key(language: str) -> None:
    wrong = {}
    for key, value in catalogue(language).items():
        wanted = set(_PARAM.findall(key))
        for text in forms(value):
            if not text.strip() and key.strip():
                wrong[key] = "empty"
            elif set(_PARAM.findall(text)) - wanted:
                wrong[key] = text
            elif wanted - {"count"} - set(_PARAM.findall(text)):
                wrong[key] = text  # a parameter only a plural's "one" form may leave out is count
        if isinstance(value, dict):
            assert set(value) <= {"zero", "one", "two", "few", "many", "other"} and "other" in value, key
    assert wrong == {}


def test_english_shows_the_keys_as_written() -> None:
    """en.json changes no English text (other tests match them): each value is its key, or
    plural forms whose "other" is the key."""
    changed = {
        key: value
        for key, value in catalogue("en").items()
        if (value.get("other") if isinstance(value, dict) else value) != key
    }
    assert changed == {}


def test_dutch_is_translated() -> None:
    """A Dutch text equal to its English key is a forgotten translation, except names and codes."""
    same_in_both = {
        "Status",
        "Tokens",
        "Accounts",
        "App",
        "Authenticator",
        "Code",
        "Code:",
        "code",
        "Headers: {names}",
        "IP {address}",
        "Items:",
        "Parameters",
        "URL",
        "URL:",
        "{type} ({usage})",
        "{type}: {name}",
    }
    untranslated = [
        key
        for key, value in catalogue("nl").items()
        if value == key and key not in same_in_both and re.search(r"[A-Za-z]{3}", key)
    ]
    assert untranslated == []
