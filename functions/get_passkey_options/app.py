"""POST /signin/passkey/options (sign-in service, IAM): a usernameless passkey sign-in's options."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import passwordless

app = http.api()


@app.post("/signin/passkey/options")
def get_passkey_options() -> Response:
    service = http.service_caller(app)
    http.no_body(app)
    return http.json_response(200, passwordless.options(runtime.deps(), service))


lambda_handler = http.handler(app)
