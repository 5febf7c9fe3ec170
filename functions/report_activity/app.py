"""POST /me/activity/{activityId}/report: "This wasn't me"."""

from securityinfo import runtime
from securityinfo.kernel import http
from securityinfo.kernel.http import Response
from securityinfo.manage import activity

app = http.api()


@app.post("/me/activity/<activity_id>/report")
def report_activity(activity_id: str) -> Response:
    http.no_body(app)
    return http.json_response(202, activity.report(runtime.deps(), http.caller(app), activity_id))


lambda_handler = http.handler(app)
