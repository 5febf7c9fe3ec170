"""Start and stop the whole local runtime; ``python -m local`` and the tests both come here.

Only one runtime can run per process: the functions share the process environment and moto's
backends are module globals.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.clock import OFFSET_ENV, LocalClock
from local.emulator import Emulator, EnvironmentPatch
from local.events import EventTap, QueueBells, QueuePoller
from local.faults import Faults
from local.functions import Functions, load_functions
from local.gateway import App, Gateway, Services
from local.lambdas import LambdaTap
from local.oidc import Client, OidcProvider
from local.outbox import Outbox, SnsTap
from local.resources import STATE_MACHINE_TYPES, Created, ResourceBuilder
from local.routes import RouteTable, load_routes
from local.streams import StreamBell, StreamPoller
from local.template import Resolver, Template, TemplateError
from local.tokens import TokenService

log = logging.getLogger("local.runtime")

HOST = "127.0.0.1"
ISSUER_PARAMETER = "IdentityProviderIssuer"
AUDIENCE_PARAMETER = "IdentityProviderAudience"
ADMIN_GROUP_PARAMETER = "AdminGroup"
WEBAUTHN_RP_ID_PARAMETER = "WebAuthnRpId"
WEBAUTHN_ORIGINS_PARAMETER = "WebAuthnOrigins"
CLIENT_ID_PARAMETER = "IdentityProviderClientId"
SCOPES_PARAMETER = "IdentityProviderScopes"
DEFAULT_AUDIENCE = "security-info-local"
DEFAULT_CLIENT_ID = "security-info-pages-local"
# The pages that sign in (each one keeps its own tokens in memory, so each is a redirect URI).
PAGES = ("/", "/admin.html")
DEFAULT_ADMIN_GROUP = "SecurityInfoAdmins"

_running_lock = threading.Lock()
_running: Runtime | None = None


@dataclass
class Runtime:
    """A started local runtime. ``url`` serves the API, the pages and ``/local/*``."""

    url: str
    port: int
    root: Path
    moto_endpoint: str = ""
    template: Template | None = None
    functions: Functions | None = None
    routes: RouteTable | None = None
    tokens: TokenService | None = None
    oidc: OidcProvider | None = None
    clock: LocalClock | None = None
    outbox: Outbox | None = None
    event_tap: EventTap | None = None
    bells: QueueBells | None = None
    created: Created | None = None
    faults: Faults | None = None
    stream_pollers: list[StreamPoller] = field(default_factory=list)
    _stoppers: list[Any] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        """Stop serving, stop the pollers and the emulator, and restore the environment."""
        global _running
        while self._stoppers:
            stop = self._stoppers.pop()
            try:
                stop()
            except Exception:
                log.exception("while stopping")
        with _running_lock:
            if _running is self:
                _running = None


def start_runtime(port: int = 3000, root: Path | None = None) -> Runtime:
    """Start everything and return once ``/local/health`` answers 200 (``port=0``: any free port)."""
    global _running
    root = (root or Path.cwd()).resolve()
    with _running_lock:
        if _running is not None:
            raise RuntimeError(f"a local runtime is already running at {_running.url}")
        app = App(web_root=root / "web")
        gateway = Gateway(app, HOST, port)
        runtime = Runtime(url=gateway.url, port=gateway.port, root=root)
        _running = runtime
    try:
        _start(runtime, app, gateway)
    except BaseException:
        runtime.stop()
        raise
    return runtime


def _start(runtime: Runtime, app: App, gateway: Gateway) -> None:
    stoppers = runtime._stoppers
    # The gateway answers first, so a caller polling /local/health sees 503 while resources are
    # being created rather than a refused connection.
    gateway.start()
    stoppers.append(gateway.stop)

    template_path = runtime.root / "template.yaml"
    if not template_path.is_file():
        raise TemplateError(f"{template_path} not found")
    template = Template.load(template_path)
    runtime.template = template
    # A blank issuer means "no identity provider configured": the local one stands in.
    if not template.parameter_values.get(ISSUER_PARAMETER):
        template.parameter_values[ISSUER_PARAMETER] = f"http://localhost:{runtime.port}/local/oidc"
    template.parameter_values.setdefault(AUDIENCE_PARAMETER, DEFAULT_AUDIENCE)
    template.parameter_values.setdefault(ADMIN_GROUP_PARAMETER, DEFAULT_ADMIN_GROUP)
    # Security keys: the pages are served here, so this origin (on whatever port) is the one a
    # browser reports. WebAuthn refuses IP addresses, hence localhost rather than 127.0.0.1.
    if WEBAUTHN_ORIGINS_PARAMETER in template.parameters:
        template.parameter_values[WEBAUTHN_RP_ID_PARAMETER] = "localhost"
        template.parameter_values[WEBAUTHN_ORIGINS_PARAMETER] = f"http://localhost:{runtime.port}"

    env = EnvironmentPatch()
    stoppers.append(env.restore)
    env.unset(["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_LAMBDA_FUNCTION_NAME"])

    emulator = Emulator()
    if template.resources_of_type(*STATE_MACHINE_TYPES):
        emulator.warm_up(["stepfunctions"])
    emulator.start()
    stoppers.append(emulator.stop)
    runtime.moto_endpoint = emulator.endpoint

    resolver = Resolver(template)
    created = ResourceBuilder(template, resolver, emulator, api_url=runtime.url).create_all()
    runtime.created = created
    functions = load_functions(template, resolver)
    runtime.functions = functions
    routes = load_routes(template, resolver)
    runtime.routes = routes

    # Function configuration first, then the emulator's: the endpoint and credentials must win.
    env.set(functions.environment())
    env.set(emulator.environment())
    env.set({OFFSET_ENV: "0"})  # every run starts on the wall clock
    stoppers.append(lambda: _forget_modules(_layer_dirs(template)))

    clock = LocalClock()
    runtime.clock = clock
    tokens = TokenService(
        issuer=_issuer(routes, str(template.parameter_values[ISSUER_PARAMETER])),
        audience=str(template.parameter_values[AUDIENCE_PARAMETER]),
        admin_group=str(template.parameter_values[ADMIN_GROUP_PARAMETER]),
        clock=clock,
    )
    runtime.tokens = tokens
    oidc = OidcProvider(tokens, clock, _pages_client(template, runtime.port))
    runtime.oidc = oidc

    outbox = Outbox()
    runtime.outbox = outbox
    faults = Faults()
    faults.install()
    stoppers.append(faults.uninstall)
    runtime.faults = faults
    tap = SnsTap(outbox, clock, created.topic_consumers, functions.invoke)
    tap.faults = faults
    tap.install()
    stoppers.append(tap.uninstall)

    lambdas = LambdaTap(functions.by_name, functions.invoke)
    lambdas.install()
    stoppers.append(lambdas.uninstall)

    # Before the tap and the pollers: they wait on these bells instead of polling moto in a loop.
    bells = QueueBells()
    bells.install()
    stoppers.append(bells.uninstall)
    runtime.bells = bells

    event_tap = _event_tap(template, resolver, emulator, bells)
    if event_tap is not None:
        event_tap.start()
        stoppers.append(event_tap.stop)
    runtime.event_tap = event_tap

    sqs = emulator.client("sqs")
    for consumer in created.queue_consumers:
        poller = QueuePoller(sqs, consumer, functions.invoke, bells)
        poller.start()
        stoppers.append(poller.stop)

    # The outbox's path: the table's stream into the publisher, as the template's mapping says.
    stream_bell = StreamBell()
    stream_bell.install()
    stoppers.append(stream_bell.uninstall)
    for stream_consumer in created.stream_consumers:
        stream_poller = StreamPoller(
            emulator.client("dynamodbstreams"), sqs, stream_consumer, functions.invoke, stream_bell
        )
        stream_poller.start()
        stoppers.append(stream_poller.stop)
        runtime.stream_pollers.append(stream_poller)

    app.services = Services(
        routes=routes,
        functions=functions,
        tokens=tokens,
        clock=clock,
        outbox=outbox,
        event_tap=event_tap,
        faults=faults,
        stream_pollers=runtime.stream_pollers,
        oidc=oidc,
    )
    app.ready.set()
    # Stopping begins with the front door: no request should reach a half-stopped runtime.
    stoppers.remove(gateway.stop)
    stoppers.append(gateway.stop)
    log.info(
        "local runtime ready: %d routes, %d functions, %d queue consumers, %d stream consumers, moto at %s",
        len(routes.routes), len(functions.specs), len(created.queue_consumers),
        len(created.stream_consumers), emulator.endpoint,
    )  # fmt: skip


def _issuer(routes: RouteTable, default: str) -> str:
    """Tokens must carry the issuer the JWT authorizer checks: the template's, if it names one."""
    issuers = {r.auth.issuer for r in routes.routes if r.auth.kind == "jwt"}
    if len(issuers) > 1:
        raise TemplateError(f"JWT authorizers disagree on the issuer: {sorted(issuers)}")
    return issuers.pop() if issuers else default


def _pages_client(template: Template, port: int) -> Client:
    """The pages as registered with the local provider, on both names of this host."""
    client_id = str(template.parameter_values.get(CLIENT_ID_PARAMETER) or DEFAULT_CLIENT_ID)
    scopes = str(template.parameter_values.get(SCOPES_PARAMETER) or "").split()
    extra = tuple(s for s in scopes if s not in ("openid", "profile"))
    uris = frozenset(f"http://{host}:{port}{page}" for host in ("localhost", HOST) for page in PAGES)
    return Client(client_id=client_id, redirect_uris=uris, scopes=extra)


def _event_tap(
    template: Template, resolver: Resolver, emulator: Emulator, bells: QueueBells
) -> EventTap | None:
    buses = [
        logical_id
        for logical_id, spec in template.resources_of_type("AWS::Events::EventBus").items()
        if resolver.is_enabled(spec)
    ]
    if not buses:
        log.info("no event bus in the template: /local/events stays empty")
        return None
    if len(buses) > 1:
        log.warning("several event buses; the event tap listens on %s", buses[0])
    bus_name = str(resolver.ref(buses[0]))
    return EventTap(emulator.client("sqs"), emulator.client("events"), bus_name, bells)


def _layer_dirs(template: Template) -> list[Path]:
    dirs = []
    for spec in template.resources_of_type("AWS::Serverless::LayerVersion").values():
        uri = (spec.get("Properties") or {}).get("ContentUri")
        if isinstance(uri, str):
            dirs.append((template.root / uri).resolve())
    return dirs


def _forget_modules(layer_dirs: list[Path]) -> None:
    """Drop the functions' modules and the layers' modules (like Lambda ending its containers).

    The layer caches clients and settings per container; the next runtime in this process has
    another emulator endpoint, so its functions must start cold, not reuse those.
    """
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        in_layer = file is not None and any(Path(file).resolve().is_relative_to(d) for d in layer_dirs)
        if name.startswith("_local_fn_") or in_layer:
            del sys.modules[name]
