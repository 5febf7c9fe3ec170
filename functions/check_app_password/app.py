"""POST /signin/app-password-check (sign-in service, IAM): is this one of the user's app passwords."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import signin

app = http.api()


@app.post("/signin/app-password-check")
def check_app_password() -> Response:
    answer = signin.check_app_password(runtime.deps(), http.service_caller(app), http.body(app))
    return http.json_response(200, answer)


lambda_handler = http.handler(app)
