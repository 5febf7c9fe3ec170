"""A small body validator: JSON objects only, unknown fields refused, each error names the field.

Kept in-house rather than pydantic because every function imports it and cold starts matter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from securityinfo.kernel.errors import BadRequest, InvalidField, InvalidJson, MissingField, UnknownField
from securityinfo.kernel.i18n import Text, t

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A multi-line text (a PEM certificate): line breaks and tabs allowed, other control characters not.
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Field(NamedTuple):
    """One allowed field of a request body."""

    kind: type | tuple[type, ...]
    required: bool = False
    choices: Sequence[Any] | None = None
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    # What to do when the pattern does not match (a catalogue key); also the published description.
    hint: str = ""
    items: Field | None = None
    schema: Mapping[str, Field] | None = None
    minimum: int | None = None
    maximum: int | None = None
    # A rule no keyword states (a phone number's form, say). The published JSON Schema cannot say
    # it, so the document is looser there than validate(), never stricter.
    check: Callable[[Any], str | Text | None] | None = None
    # Line breaks allowed in the text (a PEM certificate); other control characters never are.
    multiline: bool = False


Schema = Mapping[str, Field]


def parse_json(raw: bytes | str | None) -> Any:
    """The request body as JSON, decoded and checked once: UTF-8, then JSON, then no string (or
    key) holding what UTF-8 cannot carry (a lone surrogate such as \\ud800, which JSON's escapes
    allow). An empty body is an empty object (routes without input accept it)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InvalidJson(
                t(
                    "The request body is not valid UTF-8 (byte {byte}); send a JSON object encoded as UTF-8.",
                    byte=bad.start,
                )
            ) from None
    if raw is None or raw.strip() == "":
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidJson("The request body is not valid JSON; send a JSON object.") from None
    where = _unencodable(parsed, "")
    if where is not None:
        raise InvalidJson(
            t(
                "{field} contains an unpaired surrogate escape (such as \\ud800), which is not a character; "
                "send text only.",
                field=where,
            )
            if where
            else t(
                "The request body contains an unpaired surrogate escape (such as \\ud800), which is not a "
                "character; send text only."
            ),
            field=where or None,
        )
    return parsed


def _unencodable(value: Any, path: str) -> str | None:
    """Where (field path, "" for the body itself) the first string UTF-8 cannot encode is."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _unencodable(item, f"{path}[{i}]")
            if found is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if _unencodable(key, path) is not None:
                return path
            found = _unencodable(item, name)
            if found is not None:
                return found
    return None


def no_body(parsed: Any) -> None:
    """A route that takes no input: an empty body or ``{}``, nothing else."""
    if parsed == {}:
        return
    if isinstance(parsed, dict):
        name = next(iter(parsed))
        raise UnknownField(
            t("This request takes no fields (got '{field}'); send an empty body or {}.", field=name),
            field=name,
        )
    raise BadRequest(
        t("This request takes no body (got JSON {kind}); send an empty body or {}.", kind=_json_kind(parsed))
    )


def _json_kind(value: Any) -> str | Text:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    kinds = {str: t("a string"), list: t("an array"), int: t("a number"), float: t("a number")}
    return kinds.get(type(value), t("a value"))


def validate(body: Any, schema: Schema, path: str = "") -> dict[str, Any]:
    """Check ``body`` against ``schema`` and return it; the first problem raises BadRequest."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", field=path or None)
    for name in body:
        if name not in schema:
            allowed = ", ".join(sorted(schema)) or "none"
            raise UnknownField(
                t("Unknown field '{field}'. Allowed fields: {allowed}.", field=name, allowed=allowed),
                field=f"{path}{name}",
            )
    for name, spec in schema.items():
        if name not in body or body[name] is None:
            if spec.required:
                raise MissingField(t("'{field}' is required.", field=name), field=f"{path}{name}")
            continue
        _check_value(body[name], spec, f"{path}{name}")
    return {k: v for k, v in body.items() if v is not None}


def _type_name(kind: type | tuple[type, ...]) -> Text:
    names = {
        str: t("a string"),
        bool: t("true or false"),
        int: t("an integer"),
        list: t("a list"),
        dict: t("an object"),
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    found = [names.get(k, Text(k.__name__)) for k in kinds]
    return found[0] if len(found) == 1 else t("{first} or {second}", first=found[0], second=found[1])


def _check_value(value: Any, spec: Field, where: str) -> None:
    # bool is an int in Python; a JSON true must not pass as a number.
    if isinstance(value, bool) and spec.kind is int or not isinstance(value, spec.kind):
        raise InvalidField(
            t("'{field}' must be {kind}.", field=where, kind=_type_name(spec.kind)), field=where
        )
    if spec.choices is not None and value not in spec.choices:
        options = ", ".join(str(c) for c in spec.choices)
        raise InvalidField(
            t("'{field}' must be one of: {options}.", field=where, options=options), field=where
        )
    if isinstance(value, str):
        if (_CONTROL_BUT_LINES if spec.multiline else _CONTROL).search(value):
            raise InvalidField(t("'{field}' contains control characters.", field=where), field=where)
        _check_length(len(value), spec, where, "characters")
        # ASCII: \d and \w mean what they mean in the published (ECMAScript) patterns.
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value, re.ASCII):
            message = t(spec.hint) if spec.hint else t("'{field}' has the wrong format.", field=where)
            raise InvalidField(message, field=where)
    if isinstance(value, int) and not isinstance(value, bool):
        _check_range(value, spec, where)
    if isinstance(value, list):
        _check_length(len(value), spec, where, "items")
        if spec.items is not None:
            for i, item in enumerate(value):
                _check_value(item, spec.items, f"{where}[{i}]")
    if isinstance(value, dict) and spec.schema is not None:
        validate(value, spec.schema, f"{where}.")
    if spec.check is not None:
        problem = spec.check(value)
        if problem:
            raise InvalidField(problem, field=where)


def _check_length(n: int, spec: Field, where: str, unit: str) -> None:
    # Two messages per bound: "characters" and "items" are words of the catalogue, not parameters.
    if spec.min_len is not None and n < spec.min_len:
        if unit == "characters":
            raise InvalidField(
                t("'{field}' needs at least {count} characters.", field=where, count=spec.min_len),
                field=where,
            )
        raise InvalidField(
            t("'{field}' needs at least {count} items.", field=where, count=spec.min_len), field=where
        )
    if spec.max_len is not None and n > spec.max_len:
        if unit == "characters":
            raise InvalidField(
                t("'{field}' allows at most {count} characters.", field=where, count=spec.max_len),
                field=where,
            )
        raise InvalidField(
            t("'{field}' allows at most {count} items.", field=where, count=spec.max_len), field=where
        )


def _check_range(n: int, spec: Field, where: str) -> None:
    low, high = spec.minimum, spec.maximum
    if (low is not None and n < low) or (high is not None and n > high):
        if low is not None and high is not None:
            message = t("Use a whole number from {low} to {high}.", low=low, high=high)
        elif low is not None:
            message = t("Use a whole number of at least {low}.", low=low)
        else:
            message = t("Use a whole number of at most {high}.", high=high)
        raise InvalidField(message, field=where)


_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", list: "array", dict: "object"}


def body_json_schema(schema: Schema) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a body that ``validate(body, schema)`` checks: the OpenAPI
    document's request schemas come from here, so the two cannot drift apart."""
    out: dict[str, Any] = {
        "type": "object",
        "properties": {
            name: field_json_schema(spec, nullable=not spec.required) for name, spec in schema.items()
        },
        "additionalProperties": False,
    }
    required = [name for name, spec in schema.items() if spec.required]
    if required:
        out["required"] = required
    return out


def field_json_schema(spec: Field, *, nullable: bool = False) -> dict[str, Any]:
    """One field as JSON Schema. ``nullable`` for an optional property: validate() treats its null
    as absent (a list item's null is refused)."""
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    types = [_JSON_TYPES[k] for k in kinds]
    if nullable:
        types.append("null")
    out: dict[str, Any] = {"type": types[0] if len(types) == 1 else types}
    if spec.choices is not None:
        out["enum"] = [*spec.choices, *([None] if nullable else [])]
    if str in kinds:
        if spec.min_len is not None:
            out["minLength"] = spec.min_len
        if spec.max_len is not None:
            out["maxLength"] = spec.max_len
        if spec.pattern is not None:
            out["pattern"] = f"^(?:{spec.pattern})$"  # validate() matches the whole value
    if list in kinds:
        if spec.min_len is not None:
            out["minItems"] = spec.min_len
        if spec.max_len is not None:
            out["maxItems"] = spec.max_len
        if spec.items is not None:
            out["items"] = field_json_schema(spec.items)
    if int in kinds:
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
    if dict in kinds and spec.schema is not None:
        nested = body_json_schema(spec.schema)
        out.update({k: v for k, v in nested.items() if k != "type"})
    if spec.hint:
        out["description"] = spec.hint
    return out


DISPLAY_NAME = Field(str, min_len=1, max_len=64, hint="A name of 1 to 64 characters.")
CODE = Field(str, pattern=r"\d{6,8}", hint="Enter the code as digits only, e.g. 123456.")
