"""POST /me/verifications: start a verification for sign-in, password reset or step-up."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import verification

app = http.api()


@app.post("/me/verifications")
def start_verification() -> Response:
    answer = verification.start(
        runtime.deps(), http.caller(app), http.body(app), http.header(app, "Idempotency-Key")
    )
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
