"""POST /signin/passkey/verify (sign-in service, IAM): which user and passkey this answer proves."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import passwordless

app = http.api()


@app.post("/signin/passkey/verify")
def check_passkey() -> Response:
    answer = passwordless.verify(runtime.deps(), http.service_caller(app), http.body(app))
    return http.json_response(200, answer)


lambda_handler = http.handler(app)
