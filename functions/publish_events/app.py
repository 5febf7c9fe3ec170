"""The outbox's publisher: activity items from the table's stream (event source mapping: activity
INSERTs only, partial batch responses, bisect on error) -> the event bus, each with its ``eventId``
(securityinfo.storage.outbox)."""

from typing import Any

from securityinfo import runtime
from securityinfo.kernel.logs import logger
from securityinfo.storage import outbox


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    client, bus = runtime.event_bus()
    return outbox.publish(client, bus, list(event.get("Records") or []), logger)
