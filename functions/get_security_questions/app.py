"""GET /me/security-questions: the organization's questions and how many to register and answer."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.methods.security_questions import questions_overview
from securityinfo.policy.model import current_policy

app = http.api()


@app.get("/me/security-questions")
def get_security_questions() -> Response:
    http.caller(app)  # a signed-in user only
    runtime.connection()
    return http.json_response(200, questions_overview(current_policy()))


lambda_handler = http.handler(app)
