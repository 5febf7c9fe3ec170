"""A small body validator: JSON objects only, unknown fields refused, each error names the field.

Kept in-house rather than pydantic because every function imports it and cold starts matter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from securityinfo.kernel.errors import BadRequest, InvalidField, InvalidJson, MissingField, UnknownField

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A multi-line text (a PEM certificate): line breaks and tabs allowed, other control characters not.
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Field:
    """One allowed field of a request body."""

    kind: type | tuple[type, ...]
    required: bool = False
    choices: Sequence[Any] | None = None
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    hint: str = ""
    items: Field | None = None
    schema: Mapping[str, Field] | None = None
    minimum: int | None = None
    maximum: int | None = None
    # A rule no keyword states (a phone number's form, say). The published JSON Schema cannot say
    # it, so the document is looser there than validate(), never stricter.
    check: Callable[[Any], str | None] | None = field(default=None, compare=False)
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
                f"The request body is not valid UTF-8 (byte {bad.start}); "
                "send a JSON object encoded as UTF-8."
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
            f"{where or 'The request body'} contains an unpaired surrogate escape (such as \\ud800), "
            "which is not a character; send text only.",
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
            f"This request takes no fields (got '{name}'); send an empty body or {{}}.", field=name
        )
    raise BadRequest(
        f"This request takes no body (got JSON {_json_kind(parsed)}); send an empty body or {{}}."
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", list: "an array", int: "a number", float: "a number"}.get(type(value), "a value")


def validate(body: Any, schema: Schema, path: str = "") -> dict[str, Any]:
    """Check ``body`` against ``schema`` and return it; the first problem raises BadRequest."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", field=path or None)
    for name in body:
        if name not in schema:
            allowed = ", ".join(sorted(schema)) or "none"
            raise UnknownField(
                f"Unknown field '{name}'. Allowed fields: {allowed}.",
                field=f"{path}{name}",
            )
    for name, spec in schema.items():
        if name not in body or body[name] is None:
            if spec.required:
                raise MissingField(f"'{name}' is required.", field=f"{path}{name}")
            continue
        _check_value(body[name], spec, f"{path}{name}")
    return {k: v for k, v in body.items() if v is not None}


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", bool: "true or false", int: "an integer", list: "a list", dict: "an object"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _check_value(value: Any, spec: Field, where: str) -> None:
    # bool is an int in Python; a JSON true must not pass as a number.
    if isinstance(value, bool) and spec.kind is int or not isinstance(value, spec.kind):
        raise InvalidField(f"'{where}' must be {_type_name(spec.kind)}.", field=where)
    if spec.choices is not None and value not in spec.choices:
        options = ", ".join(str(c) for c in spec.choices)
        raise InvalidField(f"'{where}' must be one of: {options}.", field=where)
    if isinstance(value, str):
        if (_CONTROL_BUT_LINES if spec.multiline else _CONTROL).search(value):
            raise InvalidField(f"'{where}' contains control characters.", field=where)
        _check_length(len(value), spec, where, "characters")
        # ASCII: \d and \w mean what they mean in the published (ECMAScript) patterns.
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value, re.ASCII):
            raise InvalidField(spec.hint or f"'{where}' has the wrong format.", field=where)
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
    if spec.min_len is not None and n < spec.min_len:
        raise InvalidField(f"'{where}' needs at least {spec.min_len} {unit}.", field=where)
    if spec.max_len is not None and n > spec.max_len:
        raise InvalidField(f"'{where}' allows at most {spec.max_len} {unit}.", field=where)


def _check_range(n: int, spec: Field, where: str) -> None:
    low, high = spec.minimum, spec.maximum
    if (low is not None and n < low) or (high is not None and n > high):
        if low is not None and high is not None:
            message = f"Use a whole number from {low} to {high}."
        elif low is not None:
            message = f"Use a whole number of at least {low}."
        else:
            message = f"Use a whole number of at most {high}."
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
