"""The committed OpenAPI document is the generator's output, covers exactly the template's routes,
is valid OpenAPI 3.1, and its request schemas are never stricter than what the handlers validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from openapi_spec_validator import validate as validate_openapi

from contract import examples
from contract.generate import OPENAPI, outputs
from contract.openapi import build, template_routes
from contract.schemas import ERROR_CODES
from securityinfo.kernel import errors
from securityinfo.kernel.errors import BadRequest
from securityinfo.kernel.validation import Field, Schema, body_json_schema, validate
from securityinfo.methods.registry import REGISTRY
from securityinfo.policy.validation import SCHEMA as POLICY_SCHEMA
from securityinfo.verify.verification import START_SCHEMA, completion_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build()


def test_the_committed_files_equal_a_fresh_generation() -> None:
    for path, text in outputs().items():
        assert path.exists(), f"{path} is missing: run `make contract`"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `make contract`"


def test_the_document_has_exactly_the_templates_routes() -> None:
    committed = json.loads(OPENAPI.read_text(encoding="utf-8"))
    documented = {f"{m.upper()} {p}" for p, item in committed["paths"].items() for m in item}
    in_template = {r.route_key for r in template_routes()}
    assert documented - in_template == set(), "documented routes the template lacks"
    assert in_template - documented == set(), "template routes missing from the document"


def test_a_route_missing_from_the_contract_fails_the_build(tmp_path: Path) -> None:
    template = (ROOT / "template.yaml").read_text(encoding="utf-8")
    extra = template.replace("Path: /me/security-info\n", "Path: /me/security-info-extra\n", 1)
    assert extra != template
    (tmp_path / "template.yaml").write_text(extra, encoding="utf-8")
    with pytest.raises(Exception, match="security-info-extra"):
        build(tmp_path / "template.yaml")


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate_openapi(document)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": document["components"]})


def test_every_example_matches_its_schema(document: dict[str, Any]) -> None:
    checked = 0
    for path, item in document["paths"].items():
        for method, op in item.items():
            key = f"{method.upper()} {path}"
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "example" in body:
                _resolved(document, body["schema"]).validate(body["example"])
                checked += 1
            for status, answer in op["responses"].items():
                content = answer.get("content", {}).get("application/json", {})
                if "example" in content:
                    _resolved(document, content["schema"]).validate(content["example"])
                    assert (key, int(status)) in examples.RESPONSES
                    checked += 1
    assert checked == len(examples.REQUESTS) + len(examples.RESPONSES)


def test_each_status_documents_the_codes_of_its_error_classes(document: dict[str, Any]) -> None:
    pending, classes = [errors.DomainError], []
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending.extend(cls.__subclasses__())
    schemas = document["components"]["schemas"]
    for cls in classes[1:]:
        enum = schemas[f"Error{cls.status}"]["properties"]["error"]["properties"]["code"]["enum"]
        assert cls.code in enum, cls.__name__
    assert "step_up_required" in ERROR_CODES[403] and "invalid_code" in ERROR_CODES[400]


# -- the document's request schemas are never stricter than validate() ------------------------


def _values(spec: Field) -> st.SearchStrategy[Any]:
    kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
    options: list[st.SearchStrategy[Any]] = [
        st.none(),
        st.booleans(),
        st.integers(-5, 50000),
        st.floats(allow_nan=False),
        st.text(max_size=70),
    ]
    if spec.choices is not None:
        options.append(st.sampled_from(list(spec.choices)))
    if spec.pattern is not None:
        options.append(st.from_regex(spec.pattern, fullmatch=True))
    if spec.minimum is not None or spec.maximum is not None:
        low, high = spec.minimum or 0, spec.maximum or 100
        options.append(st.integers(low - 2, high + 2))
    if list in kinds:
        inner = _values(spec.items) if spec.items is not None else st.integers()
        options.append(st.lists(inner, max_size=12))
    if dict in kinds and spec.schema is not None:
        options.append(_bodies(spec.schema))
    return st.one_of(options)


def _bodies(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    fields = {name: _values(spec) for name, spec in schema.items()}
    fields["unknownField"] = st.integers()
    return st.dictionaries(st.sampled_from(sorted(fields)), st.none(), max_size=len(fields)).flatmap(
        lambda keys: st.fixed_dictionaries({k: fields[k] for k in keys})
    )


SCHEMAS: dict[str, Schema] = {
    "policy": POLICY_SCHEMA,
    "start verification": START_SCHEMA,
    **{
        f"register {name}": {"type": Field(str, required=True, choices=(name,)), **kind.registration_schema}
        for name, kind in REGISTRY.items()
    },  # fmt: skip
    **{f"verify {name}": completion_schema(kind) for name, kind in REGISTRY.items()},
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_a_body_the_document_refuses_is_refused_by_the_handler(name: str) -> None:
    schema = SCHEMAS[name]
    published = Draft202012Validator(body_json_schema(schema))

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(_bodies(schema))
    def check(body: dict[str, Any]) -> None:
        if published.is_valid(body):
            return
        with pytest.raises(BadRequest):
            validate(body, schema)

    check()
