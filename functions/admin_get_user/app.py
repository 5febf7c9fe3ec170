"""GET /admin/users/{userId}/security-info (administrators): a user's security info, masked."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.get("/admin/users/<user_id>/security-info")
def admin_get_user(user_id: str) -> Response:
    return http.json_response(200, admin.view_user(runtime.deps(), http.caller(app), user_id))


lambda_handler = http.handler(app)
