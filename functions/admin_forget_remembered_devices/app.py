"""DELETE /admin/users/{userId}/remembered-devices (administrators): every device asks again."""

from aws_lambda_powertools.event_handler import Response

from securityinfo import admin, runtime
from securityinfo.kernel import http

app = http.api()


@app.delete("/admin/users/<user_id>/remembered-devices")
def admin_forget_remembered_devices(user_id: str) -> Response:
    http.no_body(app)
    admin.forget_devices(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
