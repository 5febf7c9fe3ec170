"""GET /devices/{deviceId}/pending (device-signed): the requests waiting for the app's answer."""

from securityinfo import runtime
from securityinfo.devices import service as devices
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.get("/devices/<device_id>/pending")
def device_pending(device_id: str) -> Response:
    http.no_body(app)
    return http.json_response(200, devices.pending(runtime.deps(), http.device_request(app), device_id))


lambda_handler = http.handler(app)
