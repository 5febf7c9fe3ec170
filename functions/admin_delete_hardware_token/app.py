"""DELETE /admin/hardware-tokens/{serialNumber} (administrators): the token, and the method of the
user who activated it."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.delete("/admin/hardware-tokens/<serial_number>")
def admin_delete_hardware_token(serial_number: str) -> Response:
    http.no_body(app)
    admin.delete_hardware_token(runtime.deps(), http.caller(app), serial_number)
    return http.json_response(204)


lambda_handler = http.handler(app)
