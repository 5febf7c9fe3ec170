"""POST /admin/users/{userId}/temporary-access-pass (administrators): issue a temporary access pass."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.post("/admin/users/<user_id>/temporary-access-pass")
def admin_issue_temporary_access_pass(user_id: str) -> Response:
    answer = admin.issue_temporary_access_pass(runtime.deps(), http.caller(app), user_id, http.body(app))
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
