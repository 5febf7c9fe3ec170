"""The counts CloudWatch alarms watch, written as EMF lines in the function's log (Powertools Metrics).

The namespace and service come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (the
template's Globals). Each invocation writes its counts once at its end (``flushed``), and nothing
when it counted nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from securityinfo.kernel.logs import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import Metrics

    from securityinfo.kernel.errors import DomainError

# The names the alarms are built on: change one only together with its alarm.
UNEXPECTED_ERRORS = "UnexpectedErrors"  # the error table's 500 answer
LOCKOUTS_TRIGGERED = "LockoutsTriggered"  # a user reached the lockout threshold
VERIFICATIONS_FAILED = "VerificationsFailed"  # a wrong answer that counts toward lockout
DELIVERY_FAILURES = "DeliveryFailures"  # a code or notice the provider did not take
SENDS_THROTTLED = "SendsThrottled"  # a send refused with 429 (send limits, resend cooldown)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _metrics() -> Metrics:
    # Deferred to the first count or flush. A new instance reads the
    # namespace and service from the environment each time; Powertools keeps the counts between
    # instances until they are flushed.
    from aws_lambda_powertools.metrics import Metrics

    return Metrics()


def count(name: str) -> None:
    """One more ``name`` in this invocation's counts."""
    from aws_lambda_powertools.metrics import MetricUnit

    _metrics().add_metric(name=name, unit=MetricUnit.Count, value=1)


def refused(error: DomainError) -> None:
    """Count what a refusal means: every 429 the service answers is a send it held back."""
    if error.status == 429:
        count(SENDS_THROTTLED)


def flush() -> None:
    """Write this invocation's counts as one EMF line; nothing when none were counted."""
    metrics = _metrics()
    if not metrics.metric_set:
        return
    if not metrics.namespace:
        # A request never fails for its metrics: the counts are dropped, and the log says why.
        logger.error("metrics_not_written", extra={"reason": "POWERTOOLS_METRICS_NAMESPACE is not set"})
        metrics.clear_metrics()
        return
    metrics.flush_metrics()


def flushed(handler: Callable[_P, _R]) -> Callable[_P, _R]:
    """A Lambda handler that writes its counts when it returns or raises."""

    @functools.wraps(handler)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return handler(*args, **kwargs)
        finally:
            flush()

    return run
