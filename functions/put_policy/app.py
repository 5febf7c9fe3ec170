"""PUT /admin/policy (administrators): replace the policy (validated as a whole)."""

from securityinfo import admin, runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.put("/admin/policy")
def put_policy() -> Response:
    return http.json_response(200, admin.put_policy(runtime.deps(), http.caller(app), http.body(app)))


lambda_handler = http.handler(app)
