"""POST /admin/users/{userId}/unlock (administrators): lift a lockout."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/admin/users/<user_id>/unlock")
def admin_unlock_user(user_id: str) -> Response:
    http.no_body(app)
    admin.unlock(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
