"""POST /me/app-passwords (step-up): create an app password; the only answer that shows it."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import app_passwords

app = http.api()


@app.post("/me/app-passwords")
def create_app_password() -> Response:
    answer = app_passwords.create(
        runtime.deps(), http.caller(app), http.body(app), http.header(app, "Idempotency-Key")
    )
    return http.json_response(201, answer)


lambda_handler = http.handler(app)
