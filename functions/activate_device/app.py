"""POST /devices/activate (no user token): the authenticator app binds its key by activation code."""

from aws_lambda_powertools.event_handler import Response

from securityinfo import runtime
from securityinfo.devices import service as devices
from securityinfo.kernel import http

app = http.api()


@app.post("/devices/activate")
def activate_device() -> Response:
    answer = devices.activate(runtime.deps(), http.device_request(app), http.body(app))
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
