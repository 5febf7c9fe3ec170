"""GET /me/app-passwords: the user's app passwords (names and dates; never a password)."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import app_passwords

app = http.api()


@app.get("/me/app-passwords")
def list_app_passwords() -> Response:
    return http.json_response(200, app_passwords.listing(runtime.deps(), http.caller(app)))


lambda_handler = http.handler(app)
