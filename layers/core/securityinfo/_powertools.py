"""Powertools' Logger without its JMESPath helpers at cold start.

``aws_lambda_powertools.logging.logger`` imports ``aws_lambda_powertools.utilities.jmespath_utils``
at module level, for one use: ``inject_lambda_context(correlation_id_path=...)``, which this package
does not use (``kernel/http.py`` sets the correlation id from the event itself). That module imports
``typing_extensions`` for a ``deprecated`` decorator, and ``typing_extensions`` is the most
expensive single import of a function here (about 20 ms of CPU on this machine, measured as
``from aws_lambda_powertools import Logger`` with and without this stand-in).

So, before the Logger is first imported, the name is bound to a stand-in module that imports the
real one the first time anything is read from it (and then steps aside), so the helpers still work
if some code ever uses them. If the real module is already loaded, nothing is done.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_NAME = "aws_lambda_powertools.utilities.jmespath_utils"


class _OnFirstUse(types.ModuleType):
    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(_NAME) is self:
            del sys.modules[_NAME]
        real = importlib.import_module(_NAME)
        return getattr(real, attribute)


def defer_jmespath_utils() -> None:
    if _NAME in sys.modules:
        return
    sys.modules[_NAME] = _OnFirstUse(_NAME)


defer_jmespath_utils()
