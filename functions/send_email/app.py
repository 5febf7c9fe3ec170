"""Email sender: delivery-topic messages with channel=email -> SES v2 SendEmail
(from the address configured in the template; securityinfo.notices.senders)."""

from typing import Any

from securityinfo import runtime
from securityinfo.kernel import metrics
from securityinfo.kernel.logs import logger
from securityinfo.notices import senders


@logger.inject_lambda_context(clear_state=True)
@metrics.flushed
def lambda_handler(event: dict[str, Any], context: Any) -> None:
    senders.handle_sns(runtime.deps(), event, senders.email_provider())
