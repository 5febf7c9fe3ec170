"""template.yaml's EventBridge schema registry and events/ stay in step: one Draft 4 schema per
detail type, converted from events/ (never hand-copied), accepting and refusing what the 2020-12
schema does; every schema in events/ carries $id and a version."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from contract.events import SOURCE, detail_types, load, logical_id, registry_schema, with_registry
from contract.openapi import TEMPLATE
from local.template import Template
from tests.support_events import schema_files
from tests.unit.test_event_schemas import ENVELOPE, SAMPLES


def _registry_resources() -> dict[str, dict[str, Any]]:
    return Template.load(TEMPLATE).resources_of_type("AWS::EventSchemas::Schema")


def test_every_schema_has_an_id_and_a_version() -> None:
    ids = set()
    for path in schema_files():
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$id"].endswith(f"/v{schema['version']}/{path.name}"), path.name
        ids.add(schema["$id"])
    assert len(ids) == len(schema_files())


def test_the_template_registers_exactly_the_detail_types_of_events() -> None:
    resources = _registry_resources()
    assert set(resources) == {logical_id(name) for name in detail_types()}
    for name in detail_types():
        props = resources[logical_id(name)]["Properties"]
        assert props["Type"] == "JSONSchemaDraft4"
        assert props["SchemaName"] == f"{SOURCE}@{name}"
        assert json.loads(props["Content"]) == registry_schema(name), f"{name}: run `make contract`"
    registry = Template.load(TEMPLATE).resources_of_type("AWS::EventSchemas::Registry")
    assert list(registry) == ["EventSchemaRegistry"]


def test_the_template_section_is_the_generators_output() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert with_registry(text) == text, "run `make contract`"


def _event(name: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": name,
        "source": SOURCE,
        "account": "123456789012",
        "time": "2025-03-01T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


@pytest.mark.parametrize("name", detail_types())
def test_the_draft_4_schema_judges_events_as_the_original_does(name: str) -> None:
    schema = json.loads(_registry_resources()[logical_id(name)]["Properties"]["Content"])
    Draft4Validator.check_schema(schema)
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    detail = {**ENVELOPE, **SAMPLES[name]}
    validator.validate(_event(name, detail))
    leaked = copy.deepcopy(detail)
    leaked["secret"] = "JBSWY3DPEHPK3PXP"
    assert not validator.is_valid(_event(name, leaked))
    assert not validator.is_valid(_event(name, {**detail, "actor": "somebody"}))
    assert not validator.is_valid(_event("OtherType", detail))
    required = load(f"{name}.schema.json").get("required", [])
    for field in required:
        missing = {k: v for k, v in detail.items() if k != field}
        assert not validator.is_valid(_event(name, missing)), field
