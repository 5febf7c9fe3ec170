"""The few parts of an HTTP API resolver the functions use, answering as Powertools'
``APIGatewayHttpResolver`` does for them (tests/unit/test_router.py compares the two).

Each function serves one route of an API Gateway HTTP API (payload format 2.0): a path with
``<name>`` parameters, an exception table, a not-found answer, and the event being resolved.
Powertools' resolver costs a cold start far more than that: importing any part of its
``event_handler`` package runs the package's ``__init__``, which loads every resolver (AppSync's
and asyncio included) and every event data class. This module needs only the standard library.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

_Handler = TypeVar("_Handler", bound=Callable[..., Any])
# A path parameter takes one segment: letters, digits, and what RFC 3986 allows unencoded in a
# segment, plus the characters that arrive percent-encoded or as is (Powertools' set, so the same
# paths match).
_SEGMENT = r"[\w\-._~()'!*:@,;=+&$%<> \[\]{}|^]+"
_PARAMETER = re.compile(r"<(\w+)>")


class Headers(Mapping[str, str]):
    """A request's headers, looked up whatever the case of the name."""

    def __init__(self, raw: Mapping[str, str] | None) -> None:
        self._values = {str(k).lower(): v for k, v in (raw or {}).items()}

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class HttpEvent:
    """The proxy event (payload format 2.0) as the handlers read it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw_event = raw

    def __getitem__(self, key: str) -> Any:
        return self.raw_event[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw_event.get(key, default)

    @property
    def headers(self) -> Headers:
        return Headers(self.raw_event.get("headers"))

    @property
    def query_string_parameters(self) -> dict[str, str]:
        params: dict[str, str] = self.raw_event.get("queryStringParameters") or {}
        return params

    @property
    def body(self) -> str | None:
        body: str | None = self.raw_event.get("body")
        return body

    @property
    def is_base64_encoded(self) -> bool:
        return bool(self.raw_event.get("isBase64Encoded"))

    @property
    def raw_path(self) -> str:
        path: str = self.raw_event["rawPath"]
        return path

    @property
    def path(self) -> str:
        """The path the routes match: a named stage's prefix taken off (``$default`` has none)."""
        stage = self.raw_event["requestContext"]["stage"]
        return self.raw_path if stage == "$default" else self.raw_path[len(stage) + 1 :]

    @property
    def http_method(self) -> str:
        method: str = self.raw_event["requestContext"]["http"]["method"]
        return method


class Response:
    """An answer: status, body (text), and headers (Content-Type from ``content_type``)."""

    def __init__(
        self,
        status_code: int,
        content_type: str | None = None,
        body: str | bytes | None = None,
        headers: Mapping[str, str | list[str]] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.headers: dict[str, str | list[str]] = dict(headers or {})
        if content_type:
            self.headers.setdefault("Content-Type", content_type)

    def to_proxy(self) -> dict[str, Any]:
        """The payload format 2.0 answer: a list header's values joined with ", ", no cookies."""
        body, encoded = self.body, False
        if isinstance(body, bytes):
            body, encoded = base64.b64encode(body).decode(), True
        headers = {
            name: value if isinstance(value, str) else ", ".join(value)
            for name, value in self.headers.items()
            if value is not None
        }
        return {
            "statusCode": self.status_code,
            "body": body,
            "isBase64Encoded": encoded,
            "headers": headers,
            "cookies": [],
        }


class _Route:
    def __init__(self, method: str, rule: str, func: Callable[..., Response]) -> None:
        self.method = method
        self.dynamic = bool(_PARAMETER.search(rule))
        pattern = _PARAMETER.sub(lambda m: f"(?P<{m.group(1)}>{_SEGMENT})", rule)
        self.pattern = re.compile(f"^{pattern}$")
        self.func = func


class _NoRoute(Exception):
    """What the not-found handler is called with: no route matches the method and path."""


class HttpApiResolver:
    """Routes one event to its handler and turns what it returns, or raises, into the answer.

    The event being resolved is kept per thread: Lambda runs one request per process at a time,
    the local runtime many at once in one process, where a request must never read another's
    event (another user's claims)."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._exception_handlers: dict[type[BaseException], Callable[[Any], Response]] = {}
        self._request = threading.local()

    @property
    def current_event(self) -> HttpEvent:
        event: HttpEvent = self._request.event
        return event

    @property
    def lambda_context(self) -> Any:
        return self._request.context

    def route(self, rule: str, method: str) -> Callable[[_Handler], _Handler]:
        def register(func: _Handler) -> _Handler:
            self._routes.append(_Route(method.upper(), rule, func))
            return func

        return register

    def get(self, rule: str) -> Callable[[_Handler], _Handler]:
        return self.route(rule, "GET")

    def post(self, rule: str) -> Callable[[_Handler], _Handler]:
        return self.route(rule, "POST")

    def put(self, rule: str) -> Callable[[_Handler], _Handler]:
        return self.route(rule, "PUT")

    def patch(self, rule: str) -> Callable[[_Handler], _Handler]:
        return self.route(rule, "PATCH")

    def delete(self, rule: str) -> Callable[[_Handler], _Handler]:
        return self.route(rule, "DELETE")

    def exception_handler(self, exc_class: type[BaseException]) -> Callable[[_Handler], _Handler]:
        """``func(error)`` answers for ``exc_class`` and its subclasses (the closest class wins)."""

        def register(func: _Handler) -> _Handler:
            self._exception_handlers[exc_class] = func
            return func

        return register

    def not_found(self, func: _Handler) -> _Handler:
        """``func(error)`` answers when no route matches."""
        return self.exception_handler(_NoRoute)(func)

    def _handler_for(self, error: BaseException) -> Callable[[Any], Response] | None:
        for cls in type(error).__mro__:
            if cls in self._exception_handlers:
                return self._exception_handlers[cls]
        return None

    def _match(self, method: str, path: str) -> tuple[Callable[..., Response], dict[str, str]] | None:
        # Routes without parameters first, then the others, each in the order they were added.
        for route in sorted(self._routes, key=lambda r: r.dynamic):
            if route.method == method:
                match = route.pattern.match(path)
                if match:
                    return route.func, match.groupdict()
        return None

    def resolve(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self._request.event = request = HttpEvent(event)
        self._request.context = context
        try:
            found = self._match(request.http_method.upper(), request.path)
            try:
                if found is None:
                    raise _NoRoute
                func, arguments = found
                response = func(**arguments)
            except Exception as error:
                handler = self._handler_for(error)
                if handler is None:
                    raise
                response = handler(error)
            if not isinstance(response, Response):
                raise TypeError(f"a route returned {type(response).__name__}, not a Response")
            return response.to_proxy()
        finally:
            self._request.context = None
