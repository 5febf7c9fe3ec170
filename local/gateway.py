"""The local HTTP front door: the API (as API Gateway would serve it), the runtime's own
``/local/*`` routes, and the static pages from ``web/``.

Order of precedence: ``/local/*``, then the template's routes, then static files, then 404.
"""

from __future__ import annotations

import json
import logging
import math
import mimetypes
import re
import threading
import traceback
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from local.apigw import (
    BadIntegrationResponse,
    HttpRequest,
    HttpResponse,
    build_event,
    gateway_error,
    iam_authorizer_context,
    jwt_authorizer_context,
    translate_response,
)
from local.clock import LocalClock
from local.events import EventTap
from local.faults import SERVICES, Faults
from local.functions import Functions
from local.oidc import LOCALE_PATTERN, OidcProvider, client_config
from local.oidc import PREFIX as OIDC_PREFIX
from local.outbox import Outbox
from local.routes import Route, RouteTable
from local.streams import StreamPoller
from local.tokens import USERNAME_PATTERN, Denied, TokenService

log = logging.getLogger("local.gateway")

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
LISTEN_BACKLOG = 1024  # a load test's burst of new connections waits in the kernel, not dropped
KEEP_ALIVE_IDLE_SECONDS = 120.0
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",  # ES modules: browsers insist on a JS MIME type
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}

# Served beside the pages but kept elsewhere in the repo; `make deploy` copies them next to the pages.
PUBLISHED = {"openapi.json": "docs/openapi.json"}


class BadInput(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Services:
    """What the gateway serves once the runtime has started; ``None`` until then."""

    routes: RouteTable
    functions: Functions
    tokens: TokenService
    clock: LocalClock
    outbox: Outbox
    event_tap: EventTap | None
    oidc: OidcProvider
    faults: Faults | None = None
    stream_pollers: list[StreamPoller] = field(default_factory=list)


class App:
    def __init__(self, web_root: Path) -> None:
        self.web_root = web_root.resolve()
        self.services: Services | None = None
        self.ready = threading.Event()

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path == "/local/health":
            if self.ready.is_set():
                return HttpResponse.json(200, {"status": "ok"})
            return HttpResponse.json(503, {"status": "starting"})
        services = self.services
        if not self.ready.is_set() or services is None:
            return gateway_error(503)
        if path == OIDC_PREFIX or path.startswith(OIDC_PREFIX + "/"):
            return services.oidc.handle(request)
        if path == "/config.json" and request.method in ("GET", "HEAD"):
            # The pages' configuration: in AWS `make deploy` writes it from the stack's outputs.
            return _with_page_headers(HttpResponse.json(200, client_config(services.oidc)), services)
        if path.startswith("/local/"):
            try:
                return self._local(services, request)
            except BadInput as exc:
                error: dict[str, Any] = {"code": "invalid_request", "message": str(exc)}
                if exc.field:
                    error["field"] = exc.field
                return HttpResponse.json(400, {"error": error})
        # Matched on the raw path: each path parameter is decoded once, after splitting.
        found = services.routes.find(request.method, request.raw_path)
        if found is not None:
            return self._api(services, request, *found)
        if request.method in ("GET", "HEAD"):
            static = self._static(path)
            if static is not None:
                return _with_page_headers(static, services)
        return gateway_error(404)

    # -- the API ----------------------------------------------------------------------------

    def _api(
        self, services: Services, request: HttpRequest, route: Route, params: dict[str, str]
    ) -> HttpResponse:
        if len(request.body) > MAX_BODY_BYTES:
            return gateway_error(413)
        authorizer: dict[str, Any] | None = None
        try:
            if route.auth.kind == "jwt":
                caller = services.tokens.verify(route.auth, request.header(route.auth.header))
                scopes = caller.scopes if route.auth.scopes else None
                authorizer = jwt_authorizer_context(caller.rendered_claims(), scopes)
            elif route.auth.kind == "iam":
                caller = services.tokens.verify_service(request.header("authorization"))
                authorizer = iam_authorizer_context(str(caller.claims.get("sub")))
        except Denied as denied:
            log.info("%s %s: %d (%s)", request.method, request.path, denied.status, denied.reason)
            response = gateway_error(denied.status)
            if denied.status == 401:
                response.headers.append(("www-authenticate", _www_authenticate(denied.reason)))
            return response
        request_id = str(uuid.uuid4())
        event = build_event(
            request,
            route_key=route.route_key,
            path_parameters=params,
            authorizer=authorizer,
            now=services.clock.now(),
            request_id=request_id,
        )
        try:
            result = services.functions.invoke(route.function, event)
            response = translate_response(result, request_id)
        except BadIntegrationResponse as exc:
            log.error("%s returned a response API Gateway rejects: %s", route.function, exc)
            return gateway_error(500)
        except Exception:
            # API Gateway shows the caller nothing of the failure; the traceback is for the
            # person running the server.
            log.error("%s raised on %s:\n%s", route.function, route.route_key,
                      traceback.format_exc())  # fmt: skip
            return gateway_error(500)
        log.info("%s %s -> %d (%s)", request.method, request.path, response.status, route.function)
        return response

    # -- /local/* ---------------------------------------------------------------------------

    def _local(self, services: Services, request: HttpRequest) -> HttpResponse:
        key = f"{request.method} {request.path}"
        if key == "POST /local/token":
            return self._token(services, _json_body(request))
        if key == "GET /local/clock":
            return HttpResponse.json(200, {"now": services.clock.now_iso()})
        if key == "POST /local/clock":
            body = _json_body(request)
            _only(body, {"advanceSeconds"})
            seconds = body.get("advanceSeconds")
            if (
                not isinstance(seconds, int | float)
                or isinstance(seconds, bool)
                or not math.isfinite(seconds)
                or seconds < 0
            ):
                raise BadInput("advanceSeconds must be a number of seconds, 0 or more",
                               "advanceSeconds")  # fmt: skip
            services.clock.advance(float(seconds))
            return HttpResponse.json(200, {"now": services.clock.now_iso()})
        if key == "GET /local/outbox":
            to = _query(request).get("to")
            if to is not None and to.startswith(" "):
                to = "+" + to[1:]  # an unencoded "+15551234567" arrives as " 15551234567"
            messages = [m.to_json() for m in services.outbox.messages(to)]
            return HttpResponse.json(200, {"messages": messages})
        if key == "GET /local/events":
            # Events leave through the table's stream: first let the outbox's publisher catch up
            # with every change committed before this request (bounded: a fault may hold it up).
            for poller in services.stream_pollers:
                poller.settle()
            events = services.event_tap.events() if services.event_tap else []
            return HttpResponse.json(200, {"events": events})
        if key == "POST /local/faults" and services.faults is not None:
            body = _json_body(request)
            _only(body, {"service", "failNext"})
            service, count = body.get("service"), body.get("failNext")
            if service not in SERVICES:
                raise BadInput(f"service must be one of {', '.join(SERVICES)}", "service")
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 1000:
                raise BadInput("failNext must be a whole number from 0 to 1000", "failNext")
            services.faults.set(service, count)
            return HttpResponse.json(200, {"faults": services.faults.state()})
        if key == "GET /local/faults" and services.faults is not None:
            return HttpResponse.json(200, {"faults": services.faults.state()})
        return gateway_error(404)

    def _token(self, services: Services, body: dict[str, Any]) -> HttpResponse:
        _only(body, {"username", "admin", "service", "locale"})
        for flag in ("admin", "service"):
            if flag in body and not isinstance(body[flag], bool):
                raise BadInput(f"{flag} must be true or false", flag)
        service = bool(body.get("service"))
        username = body.get("username")
        if not (service and username is None):
            if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
                raise BadInput("username must be 1 to 64 letters, digits or . _ @ -", "username")
        locale = body.get("locale")
        if locale is not None and (not isinstance(locale, str) or not LOCALE_PATTERN.fullmatch(locale)):
            raise BadInput("locale must be a language tag such as nl-NL or en-US", "locale")
        token, claims = services.tokens.issue(
            username, admin=bool(body.get("admin")), service=service, locale=locale or None
        )
        return HttpResponse.json(200, {"accessToken": token, "userId": claims["sub"]})

    # -- static pages -----------------------------------------------------------------------

    def _static(self, path: str) -> HttpResponse | None:
        relative = path.lstrip("/")
        published = PUBLISHED.get(relative)
        candidate = (self.web_root.parent / published if published else self.web_root / relative).resolve()
        if not published and not candidate.is_relative_to(self.web_root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            return None
        content_type = CONTENT_TYPES.get(candidate.suffix.lower()) or (
            mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        )
        return HttpResponse(
            200,
            [("Content-Type", content_type), ("Cache-Control", "no-cache")],
            candidate.read_bytes(),
        )


def page_security_headers(issuer: str) -> list[tuple[str, str]]:
    """The headers CloudFront's response headers policy adds in AWS (template.yaml), kept alike.

    connect-src names the identity provider, whose discovery and token endpoints the pages call.
    """
    idp = urllib.parse.urlsplit(issuer)
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {idp.scheme}://{idp.netloc}; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )
    return [
        ("Content-Security-Policy", csp),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]


def _with_page_headers(response: HttpResponse, services: Services) -> HttpResponse:
    response.headers += page_security_headers(services.oidc.issuer)
    return response


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except ValueError:
        raise BadInput("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object")
    return body


def _only(body: dict[str, Any], allowed: set[str]) -> None:
    for key in body:
        if key not in allowed:
            raise BadInput(f"unknown field {key}", key)


def _query(request: HttpRequest) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.raw_query, keep_blank_values=True))


def _www_authenticate(reason: str) -> str:
    if reason == "no token":
        return "Bearer"
    return f'Bearer error="invalid_token" error_description="{reason}"'


# -- the HTTP server ------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Sets TCP_NODELAY on each connection: a small answer on a kept-alive connection must not wait
    # for the client's delayed ACK (~40 ms) behind Nagle's algorithm.
    disable_nagle_algorithm = True
    # A kept-alive connection holds a thread; one a client forgot is closed after this long idle.
    timeout = KEEP_ALIVE_IDLE_SECONDS
    server: _Server

    def _serve(self) -> None:
        raw_path, _, raw_query = self.path.partition("?")
        if not raw_path.startswith("/"):
            raw_path = "/" + re.sub(r"^[a-z]+://[^/]*", "", raw_path).lstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request = HttpRequest(
            method=self.command,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )
        try:
            response = self.server.app.handle(request)
        except Exception:
            log.error("local gateway failed:\n%s", traceback.format_exc())
            response = gateway_error(500)
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        """Status line, headers and body in one write: written separately, the body of a small
        answer is the second small segment Nagle's algorithm holds back until the first is ACKed."""
        self.log_request(response.status)
        reason = self.responses.get(response.status, ("",))[0]
        lines = [
            f"{self.protocol_version} {response.status} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        for name, value in response.headers:
            lines.append(f"{name}: {value}")
            if name.lower() == "connection":  # as BaseHTTPRequestHandler.send_header does
                if value.lower() == "close":
                    self.close_connection = True
                elif value.lower() == "keep-alive":
                    self.close_connection = False
        lines.append(f"Content-Length: {len(response.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        self.wfile.write(head if self.command == "HEAD" else head + response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, QUERY, ...) gets what API Gateway answers a method no route
        # has (its 404), never the stdlib's 501 HTML page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        log.debug(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver listens with a backlog of 5: a burst of new connections overflowed it, and the
    # kernel dropped the extra SYNs, so those clients waited 1, 3, 7, 15 s ... for a retry (or were
    # reset). The kernel caps this at net.core.somaxconn.
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)


class Gateway:
    """The listening socket and its serving thread."""

    def __init__(self, app: App, host: str, port: int) -> None:
        self._server = _Server((host, port), app)
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-gateway", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
