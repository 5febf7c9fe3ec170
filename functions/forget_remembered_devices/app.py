"""DELETE /me/remembered-devices (step-up): "Forget MFA on remembered devices", all of them."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import remembered_devices

app = http.api()


@app.delete("/me/remembered-devices")
def forget_remembered_devices() -> Response:
    http.no_body(app)
    remembered_devices.forget_all(runtime.deps(), http.caller(app))
    return http.json_response(204)


lambda_handler = http.handler(app)
