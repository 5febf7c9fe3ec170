"""POST /me/methods/registrations/{registrationId}/resend: a new code for a phone or email registration."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import resend

app = http.api()


@app.post("/me/methods/registrations/<registration_id>/resend")
def resend_registration_code(registration_id: str) -> Response:
    http.no_body(app)
    answer = resend.resend_registration(
        runtime.deps(), http.caller(app), registration_id, http.header(app, "Idempotency-Key")
    )
    return http.json_response(202, answer)


lambda_handler = http.handler(app)
