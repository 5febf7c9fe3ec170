"""GET /me/activity: the caller's Recent activity, newest first, one page per call."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import activity

app = http.api()


@app.get("/me/activity")
def list_activity() -> Response:
    return http.json_response(200, activity.listing(runtime.deps(), http.caller(app), http.query(app)))


lambda_handler = http.handler(app)
