"""POST /admin/hardware-tokens/{serialNumber}/assign (administrators): only that user may claim it."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/admin/hardware-tokens/<serial_number>/assign")
def admin_assign_hardware_token(serial_number: str) -> Response:
    admin.assign_hardware_token(runtime.deps(), http.caller(app), serial_number, http.body(app))
    return http.json_response(204)


lambda_handler = http.handler(app)
