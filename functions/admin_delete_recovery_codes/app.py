"""DELETE /admin/users/{userId}/recovery-codes (administrators): delete a user's recovery codes."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.delete("/admin/users/<user_id>/recovery-codes")
def admin_delete_recovery_codes(user_id: str) -> Response:
    http.no_body(app)
    admin.delete_recovery_codes(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
