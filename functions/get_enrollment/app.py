"""GET /me/enrollment: the wizard's current step."""

from functools import lru_cache

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.wizard import service as wizard

app = http.api()


@lru_cache(maxsize=1)
def _workflow() -> wizard.Workflow:
    return wizard.default_workflow()


@app.get("/me/enrollment")
def get_enrollment() -> Response:
    return http.json_response(200, wizard.read(runtime.deps(), http.caller(app), _workflow()))


lambda_handler = http.handler(app)
