"""Build the OpenAPI 3.1 document: routes from template.yaml, request bodies from the domain's
validation schemas, answers from ``contract.operations`` and ``contract.schemas``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from contract import examples
from contract.operations import OPERATIONS, Answer, Operation
from contract.requests import REQUEST_BODIES
from contract.schemas import COMPONENTS, ERROR_CODES, error_schema, ref
from local.routes import Route, load_routes
from local.template import Resolver, Template
from securityinfo.storage.idempotency import UUID_PATTERN

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
VERSION = "1.0.0"

# Only to resolve the authorizer's settings; their values do not reach the document.
_PLACEHOLDERS = {"IdentityProviderIssuer": "https://issuer.invalid", "IdentityProviderAudience": "api"}

DESCRIPTION = """\
The Security Info API: a user's sign-in methods, verifications, app passwords, remembered devices
and the "Keep your account secure" wizard; administration; the sign-in service's checks; and the
authenticator app's device-signed routes.

Bodies are JSON; times are ISO 8601 UTC; ids are opaque. Request bodies are closed: an unknown field
is refused (400 `unknown_field`), and so is a wrong type, length, pattern or choice, each naming the
field. Answers may carry more fields than listed. Every error a function gives has the shape
`{"error": {"code", "message", "field"?, "attemptsLeft"?, "retryAfter"?}}`; API Gateway's own
refusals before a function runs (no or bad token: 401; no or bad signature: 403; a body over 10 MB:
413) are `{"message": "..."}` instead. A 5xx never carries a stack trace.

An error's `message` is in the language of the request's `Accept-Language` (`en`, the default, or
`nl`; quality values count, so `nl-NL,nl;q=0.9,en;q=0.8` is Dutch), named by `Content-Language`;
its `code` and `field` are the same in every language. Recent activity's `summary` follows it too.
"""

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "The identity provider's access token; API Gateway's JWT authorizer verifies it. "
        "Administration routes also need the admin group (403 `admin_required`).",
    },
    "sigv4": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "AWS Signature Version 4 by the sign-in service's IAM role (API Gateway's IAM "
        "authorizer). The local runtime takes `Bearer <token>` from `POST /local/token` with "
        "`{service: true}` instead.",
        "x-amazon-apigateway-authtype": "awsSigv4",
    },
    "deviceTimestamp": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Device-Timestamp",
        "description": "Unix seconds; more than 5 minutes off the service clock is refused (401).",
    },
    "deviceNonce": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Device-Nonce",
        "description": "16 or more random bytes, base64url; a nonce seen before is refused (401).",
    },
    "deviceSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Device-Signature",
        "description": "base64url (no padding) DER ECDSA P-256/SHA-256 signature, by the key bound at "
        "activation, over the UTF-8 string `METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nHEX(SHA256(body))`.",
    },
}
# The three headers together sign a device's request.
DEVICE_SIGNED: list[dict[str, list[str]]] = [
    {"deviceTimestamp": [], "deviceNonce": [], "deviceSignature": []}
]

HEADERS: dict[str, Any] = {
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "A UUID: a repeat with the same key within 1 hour returns the first answer and "
        "does nothing again. Empty means none.",
        "schema": {"type": "string", "pattern": f"^(?:{UUID_PATTERN})?$"},
    },
    "StepUpToken": {
        "name": "X-Step-Up-Token",
        "in": "header",
        "required": False,
        "description": "From a `stepUp` verification of the same user, younger than the policy's "
        "`stepUpMinutes`. Without it: 403 `step_up_required` (unless the user has no MFA-capable "
        "method yet, or sends a temporary access pass).",
        "schema": {"type": "string"},
    },
    "TemporaryAccessPass": {
        "name": "X-Temporary-Access-Pass",
        "in": "header",
        "required": False,
        "description": "An administrator's temporary access pass: stands in for the step-up.",
        "schema": {"type": "string"},
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until a new try is possible (as `error.retryAfter`).",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
GATEWAY = {
    401: 'No token, or one the JWT authorizer refuses: API Gateway answers `{"message": "Unauthorized"}`.',
    403: 'No or a bad SigV4 signature: API Gateway answers `{"message": "Forbidden"}`.',
    413: 'A body over 10 MB: API Gateway answers `{"message": "Request Entity Too Large"}`.',
    500: "An unexpected failure: `internal_error` from the function, or API Gateway's "
    '`{"message": "Internal Server Error"}`; never a stack trace.',
}


class ContractError(Exception):
    """The template and the contract disagree."""


def template_routes(template_path: Path = TEMPLATE) -> list[Route]:
    template = Template.load(template_path, _PLACEHOLDERS)
    return list(load_routes(template, Resolver(template)).routes)


def _operation_id(route: Route) -> str:
    name = route.function.removesuffix("Function")
    return name[0].lower() + name[1:]


def _error_response(status: int, description: str, *, gateway: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = ref(f"Error{status}")
    if gateway:
        schema = {"anyOf": [schema, ref("GatewayMessage")]}
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if status in (423, 429):
        answer["headers"] = RETRY_AFTER
    return answer


def _success(answer: Answer, key: str, status: int) -> dict[str, Any]:
    out: dict[str, Any] = {"description": answer.description}
    if answer.schema is None:
        return out
    names = [answer.schema] if isinstance(answer.schema, str) else answer.schema
    schema = ref(names[0]) if len(names) == 1 else {"anyOf": [ref(n) for n in names]}
    content: dict[str, Any] = {"schema": schema}
    example = examples.RESPONSES.get((key, status))
    if example is not None:
        content["example"] = example
    out["content"] = {"application/json": content}
    return out


def _parameters(route: Route, op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"\{(\w+)\}", route.path)
    ]
    for name, schema in op.query.items():
        params.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": schema.get("description", ""),
                "schema": {k: v for k, v in schema.items() if k != "description"},
            }
        )
    if op.idempotent:
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
    if op.step_up:
        params.append({"$ref": "#/components/parameters/StepUpToken"})
        params.append({"$ref": "#/components/parameters/TemporaryAccessPass"})
    return params


def _accepts_empty(schema: dict[str, Any]) -> bool:
    branches = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return any(not b.get("required") for b in branches if "$ref" not in b)


def _responses(key: str, route: Route, op: Operation, has_body: bool) -> dict[str, Any]:
    answers: dict[int, dict[str, Any]] = {s: _success(a, key, s) for s, a in op.answers.items()}
    if has_body or op.idempotent:
        answers[400] = _error_response(400, "Bad input; `field` names what to fix.")
    elif route.method != "GET":
        answers[400] = _error_response(
            400, "This route takes no body: send none or `{}`; anything else is 400."
        )
    if route.auth.kind == "jwt":
        answers[401] = _error_response(401, GATEWAY[401], gateway=True)
        if op.admin or op.step_up:
            refusal = "Not in the admin group (`admin_required`)." if op.admin else "Step-up needed."
            answers[403] = _error_response(403, refusal)
    elif route.auth.kind == "iam":
        answers[403] = _error_response(403, GATEWAY[403] + " A user's token: `service_only`.", gateway=True)
    elif route.path.startswith("/devices/{"):
        answers[401] = _error_response(401, "The device signature is missing, stale, replayed or wrong.")
    if "{userId}" in route.path:
        answers[404] = _error_response(404, "No such user (the same answer for an id that is not one).")
    if op.step_up:
        # A step-up is a verification: while the user is locked, no token or pass counts.
        answers[423] = _error_response(
            423, "Locked out: no step-up counts until the lock ends; `retryAfter`."
        )
    for status, description in op.errors.items():
        answers[status] = _error_response(status, description)
    if has_body:
        answers[413] = {
            "description": GATEWAY[413],
            "content": {"application/json": {"schema": ref("GatewayMessage")}},
        }
    answers[500] = _error_response(500, GATEWAY[500], gateway=True)
    answers[503] = _error_response(503, "A dependency failed; nothing was changed. Try again.")
    return {str(s): answers[s] for s in sorted(answers)}


def _security(route: Route) -> list[dict[str, list[str]]]:
    if route.auth.kind == "jwt":
        return [{"bearerAuth": []}]
    if route.auth.kind == "iam":
        return [{"sigv4": []}]
    return DEVICE_SIGNED if route.path.startswith("/devices/{") else []


def build(template_path: Path = TEMPLATE) -> dict[str, Any]:
    routes = template_routes(template_path)
    keys = {r.route_key for r in routes}
    missing, extra = sorted(keys - OPERATIONS.keys()), sorted(OPERATIONS.keys() - keys)
    if missing or extra:
        raise ContractError(f"routes without an operation: {missing}; operations without a route: {extra}")
    unknown = sorted(REQUEST_BODIES.keys() - keys)
    if unknown:
        raise ContractError(f"request bodies for routes the template lacks: {unknown}")
    paths: dict[str, dict[str, Any]] = {}
    for route in sorted(routes, key=lambda r: (r.path, r.method)):
        key = route.route_key
        op = OPERATIONS[key]
        item: dict[str, Any] = {
            "operationId": _operation_id(route),
            "summary": op.summary,
            "tags": [op.tag],
        }
        description = op.description
        if op.step_up:
            description = (description + "\n\n" if description else "") + "Needs a step-up (S)."
        if description:
            item["description"] = description
        item["security"] = _security(route)
        params = _parameters(route, op)
        if params:
            item["parameters"] = params
        body = REQUEST_BODIES.get(key)
        if body is not None:
            content: dict[str, Any] = {"schema": body}
            if key in examples.REQUESTS:
                content["example"] = examples.REQUESTS[key]
            item["requestBody"] = {
                "required": not _accepts_empty(body) if "$ref" not in body else True,
                "content": {"application/json": content},
            }
        item["responses"] = _responses(key, route, op, body is not None)
        item["x-function"] = route.function
        paths.setdefault(route.path, {})[route.method.lower()] = item
    schemas = dict(COMPONENTS)
    for status in ERROR_CODES:
        schemas[f"Error{status}"] = error_schema(status)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Security Info API", "version": VERSION, "description": DESCRIPTION},
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in OPERATIONS.values())],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": HEADERS,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
