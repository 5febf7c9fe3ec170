"""GET /admin/method-types (administrators): the method types a policy can enable or require, with
what the policy form shows of each (the page keeps no list of its own)."""

from securityinfo import admin
from securityinfo.kernel import http
from securityinfo.kernel.http import Response

app = http.api()


@app.get("/admin/method-types")
def get_method_types() -> Response:
    return http.json_response(200, admin.method_types(http.caller(app)))


lambda_handler = http.handler(app)
