"""POST /admin/hardware-tokens (administrators): upload 1 to 500 hardware OATH tokens."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/admin/hardware-tokens")
def admin_upload_hardware_tokens() -> Response:
    answer = admin.upload_hardware_tokens(runtime.deps(), http.caller(app), http.body(app))
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
