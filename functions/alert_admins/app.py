"""Administrators' alert: a SuspiciousActivityReported event (EventBridge rule, retried, then its
dead-letter queue) -> one message on the administrators' topic (securityinfo.notices.admin_alerts)."""

from typing import Any

from securityinfo import runtime
from securityinfo.kernel import metrics
from securityinfo.kernel.logs import logger
from securityinfo.notices import admin_alerts


@logger.inject_lambda_context(clear_state=True)
@metrics.flushed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    # A failure raises: EventBridge retries the invocation, and the claim makes retries safe.
    return {"alerted": admin_alerts.handle(runtime.deps(), event)}
