"""GET /me/security-info: the user's methods, default, app-password and registration state."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import security_info

app = http.api()


@app.get("/me/security-info")
def get_security_info() -> Response:
    return http.json_response(200, security_info.overview(runtime.deps(), http.caller(app)))


lambda_handler = http.handler(app)
