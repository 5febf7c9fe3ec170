"""POST /me/verifications/{verificationId}/resend: a new code for a phone or email verification."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import resend

app = http.api()


@app.post("/me/verifications/<verification_id>/resend")
def resend_verification_code(verification_id: str) -> Response:
    http.no_body(app)
    answer = resend.resend_verification(
        runtime.deps(), http.caller(app), verification_id, http.header(app, "Idempotency-Key")
    )
    return http.json_response(202, answer)


lambda_handler = http.handler(app)
