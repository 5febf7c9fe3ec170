"""DELETE /me/remembered-devices/{deviceId} (step-up): that device asks for the second factor again."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import remembered_devices

app = http.api()


@app.delete("/me/remembered-devices/<device_id>")
def forget_remembered_device(device_id: str) -> Response:
    http.no_body(app)
    remembered_devices.forget_one(runtime.deps(), http.caller(app), device_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
