"""POST /devices/activate (no user token): the authenticator app binds its key by activation code."""

from securityinfo import runtime
from securityinfo.devices import service as devices
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/devices/activate")
def activate_device() -> Response:
    answer = devices.activate(runtime.deps(), http.device_request(app), http.body(app))
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
