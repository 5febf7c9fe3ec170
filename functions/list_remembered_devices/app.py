"""GET /me/remembered-devices: the devices that skip the second factor."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import remembered_devices

app = http.api()


@app.get("/me/remembered-devices")
def list_remembered_devices() -> Response:
    return http.json_response(200, remembered_devices.listing(runtime.deps(), http.caller(app)))


lambda_handler = http.handler(app)
