"""Validate event details against the JSON Schemas in events/ (one per EventBridge detail type).

The schemas refer to ``common.schema.json`` by file name; a local referencing Registry resolves it,
so validation never touches the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"
COMMON = "common.schema.json"
SUFFIX = ".schema.json"


def schema_files() -> list[Path]:
    """Every schema file in events/, the common one included."""
    return sorted(EVENTS_DIR.glob(f"*{SUFFIX}"))


@cache
def _registry() -> Registry:
    # By file name (how tests look them up) and by $id (how their relative $refs resolve).
    resources = []
    for path in schema_files():
        resource = Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012)
        resources += [(path.name, resource), (resource.id() or path.name, resource)]
    return Registry().with_resources(resources)


def known_detail_types() -> set[str]:
    """The detail types that have a schema (file names without the suffix, common excluded)."""
    return {path.name.removesuffix(SUFFIX) for path in schema_files() if path.name != COMMON}


@cache
def _validator(detail_type: str) -> Draft202012Validator:
    if detail_type not in known_detail_types():
        raise KeyError(f"no schema for detail type {detail_type!r} in {EVENTS_DIR}")
    schema = _registry().contents(f"{detail_type}{SUFFIX}")
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate_event(detail_type: str, detail: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError (the most relevant error) if the detail breaks its schema;
    KeyError for a detail type without a schema."""
    error = best_match(_validator(detail_type).iter_errors(detail))
    if error is not None:
        raise error
