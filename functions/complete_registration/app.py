"""POST /me/methods/registrations/{registrationId}: prove the new method and save it."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import registration

app = http.api()


@app.post("/me/methods/registrations/<registration_id>")
def complete_registration(registration_id: str) -> Response:
    answer = registration.complete(runtime.deps(), http.caller(app), registration_id, http.body(app))
    # 202 while the proof is still on its way (the authenticator app's test notification).
    return http.json_response(202 if answer.get("status") == "pending" else 201, answer)


lambda_handler = http.handler(app)
