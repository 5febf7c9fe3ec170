"""GET /admin/hardware-tokens (administrators): the uploaded tokens, one page at a time."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.get("/admin/hardware-tokens")
def admin_list_hardware_tokens() -> Response:
    answer = admin.list_hardware_tokens(runtime.deps(), http.caller(app), http.query(app))
    return http.json_response(200, answer)


lambda_handler = http.handler(app)
