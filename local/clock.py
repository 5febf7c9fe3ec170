"""The service clock as the local runtime moves it.

Functions read ``securityinfo.kernel.clock.ServiceClock``: wall time plus ``SERVICE_CLOCK_OFFSET_SECONDS``
from the environment. All in-process functions share this process's environment, so moving the
offset here moves every function's clock at once, between two requests.
"""

from __future__ import annotations

import os
import threading

from securityinfo.kernel.clock import OFFSET_ENV, ServiceClock, iso


class LocalClock:
    def __init__(self) -> None:
        self._clock = ServiceClock()
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._clock.now()

    def now_iso(self) -> str:
        return iso(self.now())

    def advance(self, seconds: float) -> float:
        """Move the service clock forward; it never goes back (expiries must stay expired)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            offset = float(os.environ.get(OFFSET_ENV) or 0) + seconds
            os.environ[OFFSET_ENV] = repr(offset)
        return self.now()


__all__ = ["OFFSET_ENV", "LocalClock", "iso"]
