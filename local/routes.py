"""The API's routes and their authorization, read from the functions' ``HttpApi`` events.

Routes are never listed twice: the template is the only source. Matching follows HTTP API rules:
an exact path beats a ``{param}`` segment, which beats a greedy ``{proxy+}``; a route for the
method beats ``ANY``; no match is a 404.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from local.template import Resolver, Template, TemplateError, as_list, merged_globals

log = logging.getLogger("local.routes")

IMPLICIT_API = "ServerlessHttpApi"  # what SAM calls the API when an event names no ApiId


@dataclass(frozen=True)
class Authorization:
    """How API Gateway checks a route's caller before invoking the function."""

    kind: str  # "none" | "jwt" | "iam"
    issuer: str = ""
    audiences: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()  # the route's AuthorizationScopes; empty means none demanded
    header: str = "authorization"  # the identity source, as a lower-case header name


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or "ANY"
    path: str  # as in the template: "/me/methods/{methodId}"
    function: str  # logical id
    auth: Authorization

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    @property
    def segments(self) -> list[str]:
        return [s for s in self.path.split("/") if s]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters (URL-decoded) if this route serves the request, else None."""
        if self.method not in ("ANY", method):
            return None
        if self.path == "$default":
            return {}
        parts = path.split("/")[1:]
        params: dict[str, str] = {}
        pattern = self.segments
        if not pattern:
            return {} if path == "/" else None
        for index, segment in enumerate(pattern):
            greedy = re.fullmatch(r"\{(\w+)\+\}", segment)
            if greedy:
                rest = "/".join(parts[index:])
                if not rest:
                    return None
                params[greedy.group(1)] = urllib.parse.unquote(rest)
                return params
            if index >= len(parts):
                return None
            param = re.fullmatch(r"\{(\w+)\}", segment)
            if param:
                if not parts[index]:
                    return None
                params[param.group(1)] = urllib.parse.unquote(parts[index])
            elif segment != parts[index]:
                return None
        return params if len(parts) == len(pattern) else None

    def specificity(self) -> tuple[Any, ...]:
        """Sorts the most specific route first, as HTTP API's route selection does."""
        if self.path == "$default":
            return (9,)
        ranks = [2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in self.segments]
        return (0, ranks, self.method == "ANY")


class RouteTable:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = sorted(routes, key=Route.specificity)

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None


def load_routes(template: Template, resolver: Resolver) -> RouteTable:
    routes: list[Route] = []
    seen: dict[str, str] = {}
    functions = template.resources_of_type("AWS::Serverless::Function")
    for logical_id, resource in functions.items():
        if not resolver.is_enabled(resource):
            continue
        props = merged_globals(template, "Function", resource.get("Properties") or {})
        for event_id, event in (props.get("Events") or {}).items():
            if event.get("Type") != "HttpApi":
                continue
            eprops = event.get("Properties") or {}
            api_id = _api_logical_id(eprops.get("ApiId"))
            version = str(eprops.get("PayloadFormatVersion", "2.0"))
            if version != "2.0":
                log.warning("%s.%s: payload format %s; the local gateway sends 2.0",
                            logical_id, event_id, version)  # fmt: skip
            method = str(resolver.resolve(eprops.get("Method", "ANY"))).upper()
            if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
                method = "ANY"
            path = str(resolver.resolve(eprops.get("Path", "$default")))
            route = Route(
                method=method,
                path=path,
                function=logical_id,
                auth=_authorization(template, resolver, api_id, eprops.get("Auth") or {}),
            )
            if route.route_key in seen:
                raise TemplateError(
                    f"route {route.route_key} is defined by {seen[route.route_key]} and {logical_id}"
                )
            seen[route.route_key] = logical_id
            routes.append(route)
    return RouteTable(routes)


def _api_logical_id(api_id: Any) -> str:
    if isinstance(api_id, dict) and "Ref" in api_id:
        return str(api_id["Ref"])
    return IMPLICIT_API if api_id is None else str(api_id)


def _api_auth(template: Template, api_id: str) -> dict[str, Any]:
    resource = template.resources.get(api_id) or {}
    props = merged_globals(template, "HttpApi", resource.get("Properties") or {})
    return dict(props.get("Auth") or {})


def _authorization(
    template: Template, resolver: Resolver, api_id: str, event_auth: dict[str, Any]
) -> Authorization:
    api_auth = _api_auth(template, api_id)
    name = event_auth.get("Authorizer", api_auth.get("DefaultAuthorizer"))
    if name is None or name == "NONE":
        return Authorization(kind="none")
    if name == "AWS_IAM":
        return Authorization(kind="iam")
    authorizer = (api_auth.get("Authorizers") or {}).get(name)
    if authorizer is None:
        raise TemplateError(f"API {api_id} has no authorizer named {name!r}")
    jwt = authorizer.get("JwtConfiguration")
    if jwt is None:
        raise TemplateError(f"authorizer {name!r}: only JWT authorizers run locally")
    jwt = resolver.resolve(jwt)
    source = str(authorizer.get("IdentitySource", "$request.header.Authorization"))
    if not source.lower().startswith("$request.header."):
        raise TemplateError(f"authorizer {name!r}: identity source {source} is not a header")
    scopes = event_auth.get("AuthorizationScopes", authorizer.get("AuthorizationScopes"))
    return Authorization(
        kind="jwt",
        issuer=str(jwt.get("issuer", "")),
        audiences=tuple(str(a) for a in as_list(jwt.get("audience"))),
        scopes=tuple(str(s) for s in resolver.resolve(as_list(scopes))),
        header=source[len("$request.header.") :].lower(),
    )
