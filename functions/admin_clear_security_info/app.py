"""DELETE /admin/users/{userId}/security-info (administrators): clear everything; the user
registers again at next sign-in."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.delete("/admin/users/<user_id>/security-info")
def admin_clear_security_info(user_id: str) -> Response:
    http.no_body(app)
    admin.clear_security_info(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
