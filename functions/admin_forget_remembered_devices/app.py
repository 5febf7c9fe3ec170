"""DELETE /admin/users/{userId}/remembered-devices (administrators): every device asks again."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.delete("/admin/users/<user_id>/remembered-devices")
def admin_forget_remembered_devices(user_id: str) -> Response:
    http.no_body(app)
    admin.forget_devices(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
