"""POST /signin/mfa-status (sign-in service, IAM): is a second factor needed for this user now."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import signin

app = http.api()


@app.post("/signin/mfa-status")
def get_mfa_status() -> Response:
    answer = signin.mfa_status(runtime.deps(), http.service_caller(app), http.body(app))
    return http.json_response(200, answer)


lambda_handler = http.handler(app)
