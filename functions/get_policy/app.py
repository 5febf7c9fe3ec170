"""GET /admin/policy (administrators): the policy in force."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.get("/admin/policy")
def get_policy() -> Response:
    return http.json_response(200, admin.get_policy(runtime.deps(), http.caller(app)))


lambda_handler = http.handler(app)
