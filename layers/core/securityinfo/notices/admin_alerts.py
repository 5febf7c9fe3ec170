"""Administrators are alerted when a user reports activity as not theirs (docs/RULES.md): one message
on the administrators' SNS topic per ``SuspiciousActivityReported``.

Driven by the event (EventBridge rule -> this consumer), so the alert cannot be lost once the
report is committed; events are at-least-once, so the alert is claimed per ``eventId`` with a
conditional put first and a redelivery sends nothing twice. The alert says who, what and from
where, masked like the event: never a secret, code or full number.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PutError

from securityinfo.kernel import metrics
from securityinfo.kernel.alerts import Alert, AlertNotSent
from securityinfo.kernel.logs import logger
from securityinfo.kernel.useragent import device_name
from securityinfo.storage.models import NoticeSentItem, notice_sk, user_pk

REPORTED = "SuspiciousActivityReported"
_TARGET = "admins"
_MARKER_SECONDS = 7 * 86400


def alert_text(detail: dict[str, Any]) -> str:
    user_id = str(detail.get("userId") or "")
    where = detail.get("sourceIp") or "an unknown address"
    device = device_name(detail.get("userAgent") if isinstance(detail.get("userAgent"), str) else None)
    method = f" (its method: {detail['methodType']} {detail['methodId']})" if detail.get("methodId") else ""
    return (
        f"User {user_id} reported activity on their account as not theirs: a "
        f"{detail.get('reportedType', 'change')} at {detail.get('reportedOccurredAt', '?')}{method}. "
        f"The report came from {where} ({device}) at {detail.get('occurredAt', '?')}. Their remembered "
        "devices were forgotten and the sign-in service sees them as atRisk until an administrator "
        "dismisses it (Administration > the user > Dismiss risk)."
    )


def handle(deps: Any, event: dict[str, Any]) -> bool:
    """Alert once for one event; True when an alert went out now."""
    if event.get("detail-type") != REPORTED:
        return False
    detail = event.get("detail") or {}
    event_id, user_id = str(detail.get("eventId") or ""), str(detail.get("userId") or "")
    if not event_id or not user_id:
        return False
    now = deps.clock.now()
    marker = NoticeSentItem(
        user_pk(user_id), notice_sk(event_id, _TARGET), created_at=now, ttl=int(now + _MARKER_SECONDS)
    )
    try:
        marker.save(condition=NoticeSentItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False  # alerted when this event was delivered before
        raise
    alert = Alert(
        subject="Security Info: a user reported activity that wasn't them",
        text=alert_text(detail),
        attributes={"detailType": REPORTED, "userId": user_id},
        details={
            "detailType": REPORTED,
            "eventId": event_id,
            **{
                k: detail.get(k)
                for k in ("userId", "reportedActivityId", "reportedType", "reportedOccurredAt", "sourceIp")
            },
            "device": device_name(
                detail.get("userAgent") if isinstance(detail.get("userAgent"), str) else None
            ),
        },
    )
    try:
        deps.alerts.send(alert)
    except AlertNotSent as failure:
        marker.delete()  # the redelivery tries again
        metrics.count(metrics.DELIVERY_FAILURES)
        logger.warning("admin_alert_not_sent", extra={"errorType": failure.error_type})
        raise
    logger.info("admin_alert_sent", extra={"detailType": REPORTED})
    return True
