"""POST /me/enrollment/steps/{stepId}: answer the current step; 202 once the wizard moved on."""

from functools import lru_cache

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.wizard import service as wizard

app = http.api()


@lru_cache(maxsize=1)
def _workflow() -> wizard.Workflow:
    return wizard.default_workflow()


@app.post("/me/enrollment/steps/<step_id>")
def submit_enrollment_step(step_id: str) -> Response:
    answer = wizard.submit(runtime.deps(), http.caller(app), _workflow(), step_id, http.body(app))
    return http.json_response(202, answer)


lambda_handler = http.handler(app)
