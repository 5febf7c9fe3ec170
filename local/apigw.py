"""API Gateway HTTP API, payload format 2.0: the event a function gets, and how its answer is sent.

Pure functions, so the shapes can be checked without sockets. The shapes follow what AWS sends:
lower-case header names with repeated headers comma-joined, cookies taken out of the headers,
keys absent (not null) when there is no query, no path parameter or no body.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.template import ACCOUNT_ID

log = logging.getLogger("local.apigw")

API_ID = "localapi"
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    raw_path: str  # as sent, still percent-encoded
    raw_query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name]
        return ",".join(values) if values else None

    @property
    def path(self) -> str:
        return urllib.parse.unquote(self.raw_path)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> HttpResponse:
        body = json.dumps(payload).encode()
        return cls(status, [("Content-Type", "application/json"), *(headers or [])], body)


class BadIntegrationResponse(Exception):
    """The function's answer is not one API Gateway can send (it answers 500)."""


def build_event(
    request: HttpRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    authorizer: dict[str, Any] | None,
    now: float,
    request_id: str | None = None,
) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    host = headers.get("host", "localhost")
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    if ":" in host:
        headers.setdefault("x-forwarded-port", host.rsplit(":", 1)[1])
    domain = host.rsplit(":", 1)[0] if ":" in host else host

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.raw_query:
        query: dict[str, str] = {}
        for key, value in urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value
        event["queryStringParameters"] = query
    context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id or str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": datetime.fromtimestamp(now, tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    event["requestContext"] = context
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        if _is_text(headers.get("content-type"), request.body):
            event["body"] = request.body.decode("utf-8")
            event["isBase64Encoded"] = False
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def _is_text(content_type: str | None, body: bytes) -> bool:
    """HTTP APIs pass text bodies as they are and base64-encode everything else (forms too)."""
    if content_type is not None:
        media = content_type.split(";", 1)[0].strip().lower()
        textual = media.startswith(TEXT_TYPES) or media.endswith(("+json", "+xml"))
        if not textual:
            return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def jwt_authorizer_context(claims: dict[str, str], scopes: list[str] | None) -> dict[str, Any]:
    # A route without AuthorizationScopes gets "scopes": null even when the token has a scope.
    return {"jwt": {"claims": claims, "scopes": scopes}}


def iam_authorizer_context(caller_id: str) -> dict[str, Any]:
    return {
        "iam": {
            "accessKey": "ASIALOCALSERVICE",
            "accountId": ACCOUNT_ID,
            "callerId": caller_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/signin-service/{caller_id}",
            "userId": caller_id,
        }
    }


def translate_response(result: Any, request_id: str) -> HttpResponse:
    """The HTTP answer API Gateway makes of a function's return value (payload 2.0 rules)."""
    base = [("apigw-requestid", request_id)]
    if not (isinstance(result, dict) and "statusCode" in result):
        # No statusCode: API Gateway sends the value itself as a 200 JSON body.
        text = result if isinstance(result, str) else json.dumps(result)
        return HttpResponse(200, [("Content-Type", "application/json"), *base], text.encode())
    status = result["statusCode"]
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise BadIntegrationResponse(f"statusCode {status!r}")
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        if value is None:
            continue
        headers.append((str(name), _header_value(value)))
    if result.get("multiValueHeaders"):
        # Payload 2.0 has no multiValueHeaders; AWS drops them, so they are dropped here too.
        log.warning("multiValueHeaders is ignored by HTTP APIs (payload 2.0); use headers/cookies")
    for cookie in result.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    body = result.get("body")
    if body is None:
        data = b""
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(str(body), validate=True)
        except ValueError as exc:
            raise BadIntegrationResponse("isBase64Encoded body is not base64") from exc
    elif isinstance(body, str):
        data = body.encode()
    else:
        raise BadIntegrationResponse(f"body is a {type(body).__name__}, not a string")
    return HttpResponse(status, headers + base, data)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def gateway_error(status: int) -> HttpResponse:
    """API Gateway's own answers, which never reach a function."""
    message = {
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        413: "Request Entity Too Large",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }[status]
    return HttpResponse.json(status, {"message": message})
