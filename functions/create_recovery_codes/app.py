"""POST /me/recovery-codes (step-up): a new set of recovery codes; the only answer that shows them."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import recovery_codes

app = http.api()


@app.post("/me/recovery-codes")
def create_recovery_codes() -> Response:
    http.no_body(app)
    return http.json_response(201, recovery_codes.create(runtime.deps(), http.caller(app)))


lambda_handler = http.handler(app)
