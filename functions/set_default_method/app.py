"""PUT /me/default-method (step-up): choose the default method or system-preferred."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import security_info

app = http.api()


@app.put("/me/default-method")
def set_default_method() -> Response:
    return http.json_response(
        200, security_info.set_default(runtime.deps(), http.caller(app), http.body(app))
    )


lambda_handler = http.handler(app)
