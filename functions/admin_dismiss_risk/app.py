"""POST /admin/users/{userId}/risk/dismiss (administrators): riskState back to none."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/admin/users/<user_id>/risk/dismiss")
def admin_dismiss_risk(user_id: str) -> Response:
    http.no_body(app)
    admin.dismiss_risk(runtime.deps(), http.caller(app), user_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
