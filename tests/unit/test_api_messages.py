"""The API's messages by language (securityinfo/kernel/i18n.py): every message the package can
answer is a key of both catalogues (kernel/messages/en.json and nl.json), Accept-Language picks the
language (quality values honoured), and a refusal reads in Dutch with the same code."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from securityinfo.kernel import i18n
from securityinfo.kernel.errors import InvalidField, Locked, MissingField
from securityinfo.kernel.i18n import Text, negotiate, t
from securityinfo.kernel.validation import DISPLAY_NAME, Field, validate

PACKAGE = Path(i18n.__file__).resolve().parents[1]
MESSAGES = PACKAGE / "kernel" / "messages"
_PARAM = re.compile(r"\{(\w+)\}")


def _error_classes() -> set[str]:
    tree = ast.parse((PACKAGE / "kernel" / "errors.py").read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def used_keys() -> tuple[dict[str, str], list[str]]:
    """Every message key in the package (with where), and the places that build a message the
    catalogues cannot hold (an f-string handed to an error or to t())."""
    errors = _error_classes()
    found: dict[str, str] = {}
    wrong: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        place = str(path.relative_to(PACKAGE))

        def where(node: ast.AST, place: str = place) -> str:
            return f"{place}:{getattr(node, 'lineno', 0)}"

        for node in ast.walk(tree):
            # A method type's ``words`` (how notices name it) are keys too: notices say t(kind.words).
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.Assign)
                        and any(
                            isinstance(target, ast.Name) and target.id == "words" for target in item.targets
                        )
                        and isinstance(item.value, ast.Constant)
                        and isinstance(item.value.value, str)
                    ):
                        found.setdefault(item.value.value, where(item))
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name == "Field":
                for keyword in node.keywords:
                    if (
                        keyword.arg == "hint"
                        and isinstance(keyword.value, ast.Constant)
                        and keyword.value.value
                    ):
                        found.setdefault(keyword.value.value, where(node))
                continue
            if (name not in errors and name != "t") or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, where(node))
            elif isinstance(first, ast.Name) and first.id in constants:
                found.setdefault(constants[first.id], where(node))
            elif isinstance(first, (ast.JoinedStr, ast.BinOp)):
                wrong.append(where(node))
    return found, wrong


def catalogue(language: str) -> dict[str, object]:
    return json.loads((MESSAGES / f"{language}.json").read_text(encoding="utf-8"))


def test_no_message_is_built_where_the_catalogues_cannot_see_it() -> None:
    keys, wrong = used_keys()
    assert wrong == [], "use t('... {name} ...', name=value) instead of an f-string"
    assert "No such method." in keys and "'{field}' is required." in keys and len(keys) > 150


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_message_is_in_the_catalogue(language: str) -> None:
    texts = catalogue(language)
    missing = {key: where for key, where in used_keys()[0].items() if key not in texts}
    assert missing == {}, f"keys missing from kernel/messages/{language}.json: {missing}"


def test_both_catalogues_have_the_same_keys_with_the_same_parameters() -> None:
    en, nl = catalogue("en"), catalogue("nl")
    assert sorted(set(en) ^ set(nl)) == []
    assert sorted(set(en) - set(used_keys()[0])) == [], "keys no code uses any more"
    for key, value in nl.items():
        wanted = set(_PARAM.findall(key))
        for text in value.values() if isinstance(value, dict) else [value]:
            assert isinstance(text, str) and text.strip(), key
            assert set(_PARAM.findall(text)) <= wanted, (key, text)
            assert wanted - {"count"} <= set(_PARAM.findall(text)), (key, text)


def test_english_answers_exactly_what_the_code_says() -> None:
    for key, value in catalogue("en").items():
        assert (value.get("other") if isinstance(value, dict) else value) == key


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("nl", "nl"),
        ("nl-NL", "nl"),
        ("NL-be", "nl"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("en-US,en;q=0.9,nl;q=0.8", "en"),
        ("de-DE,de;q=0.9,nl;q=0.5", "nl"),  # no German: the best one we have
        ("en;q=0.5,nl;q=0.7", "nl"),  # quality, not order
        ("nl;q=0.7,en;q=0.7", "nl"),  # a tie: the earlier one
        ("fr, *;q=0.1", "en"),
        ("nl;q=0, en;q=0.1", "en"),  # q=0 means "not Dutch"
        ("nl;q=0", "en"),
        ("nl;q=abc", "en"),
        ("da", "en"),
        (";;;,,,", "en"),
    ],
)
def test_accept_language(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_locale_claims_map_to_a_language() -> None:
    assert i18n.language_of_locale("nl-NL") == "nl"
    assert i18n.language_of_locale("nl_BE") == "nl"
    assert i18n.language_of_locale("en-GB") == "en"
    assert i18n.language_of_locale("de-DE") == "en"
    assert i18n.language_of_locale(None) == "en"


def test_a_refusal_reads_in_dutch_with_the_same_code_and_field() -> None:
    with pytest.raises(MissingField) as refused:
        validate({}, {"displayName": Field(str, required=True)})
    error = refused.value
    assert error.message == "'displayName' is required."
    en, nl = error.body("en")["error"], error.body("nl")["error"]
    assert en == {"code": "missing_field", "message": "'displayName' is required.", "field": "displayName"}
    assert nl == {"code": "missing_field", "message": "'displayName' is verplicht.", "field": "displayName"}


def test_dutch_messages_carry_their_parameters() -> None:
    with pytest.raises(InvalidField) as refused:
        validate({"displayName": "x" * 65}, {"displayName": DISPLAY_NAME})
    assert refused.value.body("nl")["error"]["message"] == "'displayName' mag hooguit 64 tekens hebben."
    locked = Locked(t("Too many failed attempts. Try again in {count} minutes.", count=1), retry_after=60)
    assert locked.body()["error"]["message"] == "Too many failed attempts. Try again in 1 minute."
    assert (
        locked.body("nl")["error"]["message"]
        == "Te veel mislukte pogingen. Probeer het over 1 minuut opnieuw."
    )
    nested = t("'{field}' must be {kind}.", field="channel", kind=t("a string"))
    assert nested.render("nl") == "'channel' moet een tekenreeks zijn."
    assert str(nested) == "'channel' must be a string."


def test_a_text_survives_being_kept_between_requests() -> None:
    text = t("'{field}' must be {kind}.", field="channel", kind=t("a string"))
    assert Text.from_json(json.loads(json.dumps(text.to_json()))).render("nl") == text.render("nl")


def test_an_unknown_language_or_key_falls_back_to_english_then_the_key() -> None:
    assert t("No such method.").render("fr") == "No such method."
    assert t("Not in any catalogue {x}.", x=1).render("nl") == "Not in any catalogue 1."


def test_the_wizards_page_error_reads_in_the_language_of_each_request() -> None:
    """A page's error is kept between requests (the workflow's state): its key and parameters, so
    each read of the page renders it in the language that read asks for."""
    from securityinfo.kernel.errors import NotApproved
    from securityinfo.wizard.service import _step_error

    error = NotApproved(
        "Approve the notification on your phone by entering the number shown, then select Next."
    )
    kept = json.loads(
        json.dumps({"code": error.code, "message": error.message, "text": error.text.to_json()})
    )
    dutch = _step_error(dict(kept), "nl")
    assert dutch == {
        "code": "not_approved",
        "message": (
            "Keur de melding op je telefoon goed door het getal in te voeren dat hier staat, "
            "en kies daarna Volgende."
        ),
    }
    assert _step_error(dict(kept), "en")["message"] == error.message
    # A page error kept before this change (no key): its English message as it was.
    assert _step_error({"code": "x", "message": "Old."}, "nl") == {"code": "x", "message": "Old."}


def test_a_notice_reads_in_dutch_for_a_dutch_user() -> None:
    from securityinfo.notices import notifications

    detail = {
        "userId": "u1",
        "actor": "admin:carol",
        "occurredAt": "2025-03-01T12:00:00Z",
        "methodType": "email",
        "after": {"emailAddress": "a•••@contoso.com"},
    }
    text = notifications.notice_text("MethodRegistered", detail)
    assert text is not None
    assert str(text) == (
        "An email address (a•••@contoso.com) was added to your account by an administrator "
        "on 2025-03-01 at 12:00 UTC."
    )
    assert text.render("nl") == (
        "Een e-mailadres (a•••@contoso.com) is aan je account toegevoegd door een beheerder "
        "op 2025-03-01 om 12:00 UTC."
    )
    assert (
        notifications.ADMIN_SUBJECT.render("nl") == "Een beheerder heeft je aanmeldingsinstellingen gewijzigd"
    )
