"""PUT /admin/policy (administrators): replace the policy (validated as a whole)."""

from aws_lambda_powertools.event_handler import Response

from securityinfo import admin, runtime
from securityinfo.kernel import http

app = http.api()


@app.put("/admin/policy")
def put_policy() -> Response:
    return http.json_response(200, admin.put_policy(runtime.deps(), http.caller(app), http.body(app)))


lambda_handler = http.handler(app)
