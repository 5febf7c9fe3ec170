"""POST /me/methods (step-up): start registering a method."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import registration

app = http.api()


@app.post("/me/methods")
def register_method() -> Response:
    answer = registration.begin(
        runtime.deps(), http.caller(app), http.body(app), http.header(app, "Idempotency-Key")
    )
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
