"""Lambda ``Invoke`` of a template function, answered by the in-process function.

moto's Lambda runs no code without Docker. The state machine's Lambda tasks (moto's Step Functions
interpreter calls Lambda's Invoke API) and any ``lambda:Invoke`` a function makes go through
``LambdaBackend.invoke``; wrapping it sends calls for the template's functions to the same
in-process handlers the API uses. Other names fall through to moto.

With ``lambda.use_docker`` off, moto answers from ``LambdaSimpleBackend``, which overrides
``invoke``; both classes are wrapped so the configuration does not matter.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from moto.awslambda.models import LambdaBackend
from moto.awslambda_simple.models import LambdaSimpleBackend

log = logging.getLogger("local.lambdas")


class LambdaTap:
    _installed: LambdaTap | None = None

    def __init__(self, resolve: Callable[[str], str | None], invoke: Callable[[str, Any], Any]) -> None:
        self._resolve = resolve  # function name or ARN -> logical id, or None
        self._invoke = invoke
        self._originals: dict[type[LambdaBackend], Callable[..., Any]] = {}
        # InvocationType=Event: Lambda queues the event and answers 202 at once.
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="local-lambda-async")

    def install(self) -> None:
        if LambdaTap._installed is not None:
            raise RuntimeError("another local runtime is answering Lambda invokes in this process")
        for cls in (LambdaBackend, LambdaSimpleBackend):
            self._originals[cls] = cls.__dict__["invoke"]
            cls.invoke = self._wrap(cls.__dict__["invoke"])  # type: ignore[method-assign]
        LambdaTap._installed = self

    def uninstall(self) -> None:
        if LambdaTap._installed is self:
            for cls, original in self._originals.items():
                cls.invoke = original  # type: ignore[method-assign]
            self._originals.clear()
            LambdaTap._installed = None
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(
            backend: LambdaBackend,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> str | bytes | None:
            logical_id = self._resolve(function_name)
            if logical_id is None:
                return original(backend, function_name, qualifier, body, headers, response_headers)  # type: ignore[no-any-return]
            return self.handle(logical_id, body, headers, response_headers)

        return invoke

    def handle(self, logical_id: str, body: Any, headers: Any, response_headers: dict[str, str]) -> bytes:
        text = body.decode() if isinstance(body, bytes) else str(body or "")
        event = json.loads(text) if text.strip() else {}
        if (headers or {}).get("X-Amz-Invocation-Type") == "Event":
            self._pool.submit(self._run_async, logical_id, event)
            return b""
        try:
            result = self._invoke(logical_id, event)
        except Exception as exc:
            log.error("%s raised:\n%s", logical_id, traceback.format_exc())
            # What Lambda answers for an unhandled error: 200, this header, and this payload.
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(
                {
                    "errorMessage": str(exc),
                    "errorType": type(exc).__name__,
                    "stackTrace": traceback.format_tb(exc.__traceback__),
                }
            ).encode()
        return json.dumps(result).encode()

    def _run_async(self, logical_id: str, event: Any) -> None:
        try:
            self._invoke(logical_id, event)
        except Exception:
            log.error("%s raised (async invoke):\n%s", logical_id, traceback.format_exc())
