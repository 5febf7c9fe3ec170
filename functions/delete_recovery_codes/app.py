"""DELETE /me/recovery-codes (step-up): delete the user's set of recovery codes."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import recovery_codes

app = http.api()


@app.delete("/me/recovery-codes")
def delete_recovery_codes() -> Response:
    http.no_body(app)
    recovery_codes.delete(runtime.deps(), http.caller(app))
    return http.json_response(204)


lambda_handler = http.handler(app)
