"""POST /me/verifications/{verificationId}: answer a verification."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import verification

app = http.api()


@app.post("/me/verifications/<verification_id>")
def complete_verification(verification_id: str) -> Response:
    answer = verification.complete(runtime.deps(), http.caller(app), verification_id, http.body(app))
    # 202 while the authenticator app has not answered the push yet.
    return http.json_response(202 if answer.get("status") == "pending" else 200, answer)


lambda_handler = http.handler(app)
