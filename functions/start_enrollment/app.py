"""POST /me/enrollment: start the "Keep your account secure" wizard, or resume the running one."""

from functools import lru_cache

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.wizard import service as wizard

app = http.api()


@lru_cache(maxsize=1)
def _workflow() -> wizard.Workflow:
    return wizard.default_workflow()


@app.post("/me/enrollment")
def start_enrollment() -> Response:
    http.no_body(app)
    status, answer = wizard.start(runtime.deps(), http.caller(app), _workflow())
    return http.json_response(status, answer)


lambda_handler = http.handler(app)
