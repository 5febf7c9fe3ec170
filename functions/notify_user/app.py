"""Change notices: security-info events from the notification queue (SQS, partial batch failures)
-> a text, call or email on every other channel the user has (securityinfo.notifications)."""

from typing import Any

from securityinfo import notifications, runtime
from securityinfo.logs import logger


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    runtime.connection()
    return notifications.handle_batch(runtime.deps(), list(event.get("Records") or []))
