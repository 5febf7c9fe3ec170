"""GET /me/recovery-codes: how many of the user's recovery codes are left (never a code)."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import recovery_codes

app = http.api()


@app.get("/me/recovery-codes")
def get_recovery_codes() -> Response:
    return http.json_response(200, recovery_codes.status(runtime.deps(), http.caller(app)))


lambda_handler = http.handler(app)
