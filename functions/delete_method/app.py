"""DELETE /me/methods/{methodId} (step-up): remove a method."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import security_info

app = http.api()


@app.delete("/me/methods/<method_id>")
def delete_method(method_id: str) -> Response:
    http.no_body(app)
    security_info.remove(runtime.deps(), http.caller(app), method_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
