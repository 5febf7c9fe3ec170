"""GET /me/verifications/{verificationId}: where a verification stands (push polling)."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import verification

app = http.api()


@app.get("/me/verifications/<verification_id>")
def get_verification(verification_id: str) -> Response:
    return http.json_response(200, verification.read(runtime.deps(), http.caller(app), verification_id))


lambda_handler = http.handler(app)
