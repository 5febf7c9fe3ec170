"""The service's words by language: the API's error messages (in the language of the request's
``Accept-Language``) and the change notices (in the user's, from the identity provider's ``locale``
claim). One catalogue per language, ``kernel/messages/<language>.json``, with the same keys.

A key is the English text as the code writes it, with ``{name}`` parameters (gettext's way: a raise
site reads as the user reads it): ``raise MissingField(t("'{field}' is required.", field=name))``,
or a plain literal where nothing varies (``raise NotFound("No such method.")``: the error makes it a
:class:`Text` itself). The text is rendered only when the answer is written, in the language asked
for; ``str(text)`` is English, so logs, tests and ``error.message`` read as before. A value may be
``{"one": ..., "other": ...}``, chosen by the ``count`` parameter; a parameter that is itself a
:class:`Text` is rendered in the same language. tests/unit/test_api_messages.py fails when a key
used in the package is missing from either catalogue.

Standard library only, and the catalogues are read on first use: every function imports this.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("en", "nl")
DEFAULT = "en"
_HERE = os.path.join(os.path.dirname(__file__), "messages")
_PARAM = re.compile(r"\{(\w+)\}")
_catalogues: dict[str, dict[str, Any]] = {}


def catalogue(language: str) -> dict[str, Any]:
    """The catalogue of ``language`` (read once per process)."""
    if language not in _catalogues:
        with open(os.path.join(_HERE, f"{language}.json"), encoding="utf-8") as file:
            _catalogues[language] = json.load(file)
    return _catalogues[language]


class Text:
    """A message by key, with its parameters, rendered in a language when it is answered."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params

    def render(self, language: str = DEFAULT) -> str:
        language = language if language in LANGUAGES else DEFAULT
        value = catalogue(language).get(self.key)
        if value is None and language != DEFAULT:
            value = catalogue(DEFAULT).get(self.key)
        if value is None:
            value = self.key
        if isinstance(value, dict):
            value = value.get("one" if self.params.get("count") == 1 else "other") or value.get(
                "other", self.key
            )
        params = {name: _shown(v, language) for name, v in self.params.items()}
        return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), str(value))

    def to_json(self) -> dict[str, Any]:
        """For state kept between requests (the wizard's page error): key and parameters."""
        return {
            "key": self.key,
            "params": {k: v.to_json() if isinstance(v, Text) else v for k, v in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Text:
        params = {
            k: cls.from_json(v) if isinstance(v, dict) and "key" in v else v
            for k, v in (data.get("params") or {}).items()
        }
        return cls(str(data.get("key") or ""), **params)

    def __str__(self) -> str:
        return self.render(DEFAULT)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self.key == other.key and self.params == other.params
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.key)


def _shown(value: Any, language: str) -> str:
    if isinstance(value, Text):
        return value.render(language)
    return str(value)


def t(key: str, **params: Any) -> Text:
    """The message ``key`` (its English text) with ``params``, to be rendered when answered."""
    return Text(key, **params)


def text_of(message: str | Text) -> Text:
    """A message as a :class:`Text`: a literal is its own key."""
    return message if isinstance(message, Text) else Text(message)


def negotiate(accept_language: str | None) -> str:
    """The language to answer in, from an ``Accept-Language`` header (RFC 9110 §12.5.4): the
    highest-quality range we have ("nl-NL", "nl" and "nl-*" are Dutch; "*" is the default); a range
    with q=0 is refused; ties go to the earlier range. English when nothing matches."""
    best: tuple[float, int, str] | None = None
    refused: set[str] = set()
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        if not tag:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        quality = min(max(quality, 0.0), 1.0)
        language = DEFAULT if tag == "*" else tag.split("-")[0]
        if quality == 0.0:
            refused.add(language)
            continue
        if language not in LANGUAGES:
            continue
        candidate = (-quality, position, language)
        if best is None or candidate < best:
            best = candidate
    if best is not None and best[2] not in refused:
        return best[2]
    return DEFAULT


def language_of_locale(locale: str | None) -> str:
    """The language of an identity provider's ``locale`` claim ("nl-NL", "nl_BE", "nl"), else English."""
    base = re.split(r"[-_]", str(locale or "").strip().lower())[0]
    return base if base in LANGUAGES else DEFAULT
