"""PATCH /me/methods/{methodId} (step-up): rename a method (phones: channel or number)."""

from aws_lambda_powertools.event_handler import Response

from securityinfo import http, runtime, security_info

app = http.api()


@app.patch("/me/methods/<method_id>")
def update_method(method_id: str) -> Response:
    return http.json_response(
        200, security_info.update(runtime.deps(), http.caller(app), method_id, http.body(app))
    )


lambda_handler = http.handler(app)
