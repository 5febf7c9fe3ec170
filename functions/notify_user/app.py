"""Change notices: security-info events from the notification queue (SQS, partial batch failures)
-> a text, call or email on every other channel the user has (securityinfo.notices.notifications)."""

from typing import Any

from securityinfo import runtime
from securityinfo.kernel import metrics
from securityinfo.kernel.logs import logger
from securityinfo.notices import notifications


@logger.inject_lambda_context(clear_state=True)
@metrics.flushed
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return notifications.handle_batch(runtime.deps(), list(event.get("Records") or []))
