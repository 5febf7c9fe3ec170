"""POST /devices/{deviceId}/approvals/{verificationId} (device-signed): approve, deny or report fraud."""

from securityinfo import runtime
from securityinfo.devices import service as devices
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/devices/<device_id>/approvals/<verification_id>")
def device_decision(device_id: str, verification_id: str) -> Response:
    devices.decide(runtime.deps(), http.device_request(app), device_id, verification_id, http.body(app))
    return http.json_response(204)


lambda_handler = http.handler(app)
