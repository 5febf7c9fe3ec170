"""securityinfo.kernel.router answers as Powertools' APIGatewayHttpResolver does for what the
functions use: the same routes, exception table and not-found answer give the same proxy answers
for the same events (matching or not, named stages, odd characters in a path parameter, errors)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse

from securityinfo.kernel.router import HttpApiResolver, Response


class Refused(Exception):
    pass


class Gone(Refused):
    pass


def _routes(app: Any, response: Any) -> None:
    """The same handlers on either resolver, ``response`` being its Response class."""

    def answer(status: int, body: Any, **headers: str | list[str]) -> Any:
        if status == 204:
            return response(status_code=204, body="", headers={"Cache-Control": "no-store", **headers})
        return response(
            status_code=status,
            content_type="application/json",
            body=json.dumps(body),
            headers={"Cache-Control": "no-store", **headers},
        )

    @app.exception_handler(Refused)
    def _refused(error: Refused) -> Any:
        return answer(409 if type(error) is Refused else 410, {"code": type(error).__name__})

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Any:
        return answer(500, {"code": "internal", "type": type(error).__name__})

    @app.not_found
    def _no_route(_: Exception) -> Any:
        return answer(404, {"code": "not_found"})

    @app.get("/me/things")
    def list_things() -> Any:
        event = app.current_event
        return answer(
            200,
            {
                "ua": event.headers.get("USER-AGENT"),
                "custom": event.headers.get("x-custom"),
                "missing": event.headers.get("X-Missing"),
                "raw_path": event.raw_path,
                "query": event.query_string_parameters,
                "method": event.http_method,
                "claims": ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt"),
            },
            Vary=["Accept", "Origin"],
        )

    @app.post("/me/things/<thing_id>/parts/<part_id>")
    def add_part(thing_id: str, part_id: str) -> Any:
        event = app.current_event
        data = event.body or ""
        if event.is_base64_encoded:
            data = base64.b64decode(data).decode()
        return answer(201, {"thing": thing_id, "part": part_id, "body": data})

    @app.get("/me/things/<thing_id>")
    def get_thing(thing_id: str) -> Any:
        if thing_id == "refused":
            raise Refused
        if thing_id == "gone":
            raise Gone
        if thing_id == "broken":
            raise KeyError("x")
        return answer(200, {"thing": thing_id})

    @app.delete("/me/things/<thing_id>")
    def delete_thing(thing_id: str) -> Any:
        return answer(204, None)

    @app.put("/me/things/static")
    def put_static() -> Any:
        return answer(200, {"which": "static"})

    @app.put("/me/things/<thing_id>")
    def put_thing(thing_id: str) -> Any:
        return answer(200, {"which": thing_id})

    @app.patch("/me/things/<thing_id>")
    def patch_thing(thing_id: str) -> Any:
        return answer(200, {"patched": thing_id})


def _event(
    method: str,
    path: str,
    *,
    stage: str = "$default",
    body: str | None = None,
    encoded: bool = False,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        **({"queryStringParameters": query} if query is not None else {}),
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers if headers is not None else {"user-agent": "pytest", "X-Custom": "yes"},
        "requestContext": {
            "stage": stage,
            "requestId": "req-1",
            "http": {"method": method, "path": path, "sourceIp": "192.0.2.1", "userAgent": "pytest"},
            "authorizer": {"jwt": {"claims": {"sub": "user-1"}}},
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


EVENTS = [
    _event("GET", "/me/things"),
    _event("GET", "/me/things", headers={}),
    _event("GET", "/me/things", query={"limit": "5", "cursor": "a,b"}),
    _event("get", "/me/things"),
    _event("GET", "/prod/me/things", stage="prod"),
    _event("GET", "/me/things", stage="prod"),
    _event("GET", "/me/things/"),
    _event("GET", "/me/things/abc-123"),
    _event("GET", "/me/things/a%20b~c:d@e!f$g'h(i)*j+k,l;m=n&o"),
    _event("GET", "/me/things/a/b"),
    _event("GET", "/me/things/refused"),
    _event("GET", "/me/things/gone"),
    _event("GET", "/me/things/broken"),
    _event("POST", "/me/things/t1/parts/p2", body='{"a": 1}'),
    _event("POST", "/me/things/t1/parts/p2", body=base64.b64encode(b'{"b": 2}').decode(), encoded=True),
    _event("POST", "/me/things/t1/parts"),
    _event("POST", "/me/things"),
    _event("DELETE", "/me/things/x"),
    _event("PUT", "/me/things/static"),
    _event("PUT", "/me/things/other"),
    _event("PATCH", "/me/things/x"),
    _event("OPTIONS", "/me/things"),
    _event("GET", "/elsewhere"),
    _event("GET", "/"),
]


def _name(event: dict[str, Any]) -> str:
    return f"{event['requestContext']['http']['method']} {event['rawPath']}"


@pytest.mark.parametrize("event", EVENTS, ids=_name)
def test_answers_as_powertools_does(event: dict[str, Any]) -> None:
    ours, theirs = HttpApiResolver(), APIGatewayHttpResolver()
    _routes(ours, Response)
    _routes(theirs, PowertoolsResponse)
    # Each gets its own copy: neither may rely on the other leaving the event as it was.
    assert ours.resolve(json.loads(json.dumps(event)), None) == theirs.resolve(
        json.loads(json.dumps(event)), None
    )


def test_an_unhandled_error_propagates_as_with_powertools() -> None:
    for app in (HttpApiResolver(), APIGatewayHttpResolver()):

        @app.get("/boom")
        def boom() -> Any:
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            app.resolve(_event("GET", "/boom"), None)
