"""Every answer the integration tests see, checked against docs/openapi.json.

``tests.support_api.Api`` records each API call; at the end of the session ``problems`` names every
answer whose status the route does not document, whose body breaks the documented schema (an
error's code included), or that lacks a documented header. Calls outside the template's routes
(``/local/*``, pages) are not the API's and are skipped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

from local.routes import RouteTable

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str]


_seen: list[Seen] = []
_lock = threading.Lock()
_paused = threading.Event()


@contextmanager
def paused() -> Iterator[None]:
    """For a test that swaps a function for a stand-in: its answers are not the API's."""
    _paused.set()
    try:
        yield
    finally:
        _paused.clear()


def record(method: str, path: str, status: int, body: Any, headers: dict[str, str]) -> None:
    if _paused.is_set():
        return
    with _lock:
        _seen.append(Seen(method.upper(), path.split("?", 1)[0], status, body, dict(headers)))


def seen() -> list[Seen]:
    with _lock:
        return list(_seen)


@cache
def document() -> dict[str, Any]:
    return dict(json.loads(DOCUMENT.read_text(encoding="utf-8")))


@cache
def _routes() -> RouteTable:
    from contract.openapi import template_routes

    return RouteTable(template_routes())


@cache
def _validator(schema_json: str) -> Draft202012Validator:
    # The document's components ride along so that "#/components/..." references resolve.
    schema = {**json.loads(schema_json), "components": document()["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def check(answer: Seen) -> str | None:
    """What is wrong with this answer by the document, or None (also for a call outside the API)."""
    found = _routes().find(answer.method, answer.path)
    if found is None:
        return None
    route = found[0]
    operation = document()["paths"][route.path][route.method.lower()]
    where = f"{route.route_key} -> {answer.status}"
    response = operation["responses"].get(str(answer.status))
    if response is None:
        documented = ", ".join(operation["responses"])
        body = json.dumps(answer.body)[:200]
        return f"{where}: status not documented (documented: {documented}); body {body}"
    content = response.get("content")
    if content is None:
        return None if answer.body in (None, "") else f"{where}: documented without a body, got one"
    schema = content["application/json"]["schema"]
    error = best_match(_validator(json.dumps(schema, sort_keys=True)).iter_errors(answer.body))
    if error is not None:
        path = "/".join(str(p) for p in error.absolute_path)
        body = json.dumps(answer.body)[:300]
        return f"{where}: body breaks the schema at '{path}': {error.message[:200]}; body {body}"
    lower = {k.lower() for k in answer.headers}
    for name in response.get("headers", {}):
        if name.lower() not in lower:
            return f"{where}: header {name} missing"
    return None


def problems() -> list[str]:
    """Each distinct problem once, with how often it was seen."""
    counts: dict[str, int] = {}
    for answer in seen():
        problem = check(answer)
        if problem is not None:
            counts[problem] = counts.get(problem, 0) + 1
    return [f"{p} (x{n})" if n > 1 else p for p, n in counts.items()]
