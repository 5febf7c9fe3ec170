"""GET /admin/users/{userId}/activity (administrators): a user's Recent activity."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.get("/admin/users/<user_id>/activity")
def admin_list_activity(user_id: str) -> Response:
    answer = admin.user_activity(runtime.deps(), http.caller(app), user_id, http.query(app))
    return http.json_response(200, answer)


lambda_handler = http.handler(app)
