"""DELETE /me/app-passwords/{appPasswordId} (step-up): delete one app password."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.verify import app_passwords

app = http.api()


@app.delete("/me/app-passwords/<app_password_id>")
def delete_app_password(app_password_id: str) -> Response:
    http.no_body(app)
    app_passwords.delete(runtime.deps(), http.caller(app), app_password_id)
    return http.json_response(204)


lambda_handler = http.handler(app)
