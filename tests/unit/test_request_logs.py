"""A function's log lines carry the request's correlation id (API Gateway's request id), read from
the event by securityinfo.kernel.http rather than by a Powertools JMESPath path."""

from __future__ import annotations

import json
from typing import Any

from securityinfo.kernel import http
from securityinfo.kernel.errors import NotFound
from securityinfo.kernel.http import Response
from tests.conftest import LogCapture


class _Context:
    function_name = "security-info-test-Probe"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:security-info-test-Probe"
    memory_limit_in_mb = 128
    aws_request_id = "lambda-request-1"
    log_group_name = "/aws/lambda/probe"
    log_stream_name = "probe"

    def get_remaining_time_in_millis(self) -> int:
        return 3000


def _event(path: str, request_id: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "http": {"method": "GET", "path": path, "sourceIp": "203.0.113.7"},
        "stage": "$default",
    }
    if request_id is not None:
        context["requestId"] = request_id
    return {
        "version": "2.0",
        "routeKey": f"GET {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {},
        "requestContext": context,
        "isBase64Encoded": False,
    }


def _refused(capture: LogCapture, start: int) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in capture.lines[start:]]
    return [line for line in lines if line.get("message") == "request_refused"]


def test_the_logs_of_a_request_carry_its_request_id(log_capture: LogCapture) -> None:
    app = http.api()

    @app.get("/probe")
    def probe() -> Response:
        raise NotFound("No such thing.")

    start = len(log_capture.lines)
    answer = http.handler(app)(_event("/probe", "req-4711"), _Context())
    assert answer["statusCode"] == 404
    refused = _refused(log_capture, start)
    assert refused and refused[0]["correlation_id"] == "req-4711"

    # The next request's logs carry its own id (or none), never the one before.
    start = len(log_capture.lines)
    http.handler(app)(_event("/probe", None), _Context())
    later = _refused(log_capture, start)
    assert later and later[0].get("correlation_id") in (None, "")
