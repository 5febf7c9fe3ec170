"""PATCH /me/methods/{methodId} (step-up): rename a method (phones: channel or number)."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import security_info

app = http.api()


@app.patch("/me/methods/<method_id>")
def update_method(method_id: str) -> Response:
    answer = security_info.update(runtime.deps(), http.caller(app), method_id, http.body(app))
    # A new phone number is not changed yet: it waits for the code sent to it (202).
    return http.json_response(202 if "registrationId" in answer else 200, answer)


lambda_handler = http.handler(app)
