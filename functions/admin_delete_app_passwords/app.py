"""DELETE /admin/users/{userId}/app-passwords (administrators): delete all of a user's app passwords."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.delete("/admin/users/<user_id>/app-passwords")
def admin_delete_app_passwords(user_id: str) -> Response:
    http.no_body(app)
    admin.delete_app_passwords(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
