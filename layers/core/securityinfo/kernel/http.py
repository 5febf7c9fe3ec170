"""HTTP glue for every function: the resolver, the caller from verified claims, bodies, and the one
table that maps domain exceptions to the contract's status codes and error bodies."""

from __future__ import annotations

import base64
import json
import re
import traceback
from collections.abc import Callable
from typing import Any, NamedTuple

from securityinfo.kernel import metrics, validation
from securityinfo.kernel.context import Caller
from securityinfo.kernel.errors import (
    DomainError,
    InternalError,
    InvalidJson,
    NotFound,
    ServiceOnly,
    Unauthorized,
)
from securityinfo.kernel.i18n import DEFAULT, negotiate
from securityinfo.kernel.logs import logger
from securityinfo.kernel.router import HttpApiResolver, Response  # the handlers take Response from here
from securityinfo.kernel.validation import parse_json

JSON = "application/json"
# A BCP 47 language tag as identity providers send it in the locale claim ("nl-NL", "nl_BE", "en").
_LOCALE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}")
_NO_STORE = {"Cache-Control": "no-store"}


def json_response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    if status == 204:
        return Response(status_code=204, body="", headers={**_NO_STORE, **(headers or {})})
    return Response(
        status_code=status, content_type=JSON, body=json.dumps(body), headers={**_NO_STORE, **(headers or {})}
    )


def error_response(error: DomainError, language: str = DEFAULT) -> Response:
    """The error's status and body, its message in ``language`` (the request's Accept-Language)."""
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
    return json_response(
        error.status, error.body(language), {**(headers or {}), "Content-Language": language}
    )


def language(app: HttpApiResolver) -> str:
    """The language the caller reads (``Accept-Language``; English when it names none we have)."""
    try:
        return negotiate(header(app, "Accept-Language"))
    except Exception:  # no event being resolved (a direct call): the default
        return DEFAULT


def api() -> HttpApiResolver:
    """A resolver with the shared error table installed."""
    app = HttpApiResolver()

    @app.exception_handler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        # Only the code and field: messages may echo what the user typed.
        logger.info(
            "request_refused", extra={"status": error.status, "code": error.code, "field": error.field}
        )
        metrics.refused(error)
        return error_response(error, language(app))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        # No stack trace or exception text in logs (it may hold input); type and place suffice.
        frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
        where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else "?"
        logger.error("unexpected_error", extra={"errorType": type(error).__name__, "where": where})
        metrics.count(metrics.UNEXPECTED_ERRORS)
        return error_response(
            InternalError("Something went wrong on our side. Try again shortly."), language(app)
        )

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return error_response(NotFound("No such route."), language(app))

    return app


def handler(app: HttpApiResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point: structured logs with the request's correlation id, never the event."""

    @logger.inject_lambda_context(clear_state=True)
    @metrics.flushed
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        # The request id is read here rather than by a correlation_id_path: that path is a JMESPath
        # query, and Powertools' JMESPath helpers cost a cold start more than this whole module.
        logger.set_correlation_id(_request_id(event))
        return app.resolve(event, context)

    return lambda_handler


def _request_id(event: Any) -> str | None:
    """API Gateway's request id (``requestContext.requestId``), the correlation id of the logs."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    request_id = context.get("requestId") if isinstance(context, dict) else None
    return request_id if isinstance(request_id, str) else None


def _groups(value: Any) -> tuple[str, ...]:
    # API Gateway renders a list claim as "[a b]"; a raw list may arrive from other authorizers.
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        return tuple(v for v in value.strip("[]").replace(",", " ").split() if v)
    return ()


def caller(app: HttpApiResolver) -> Caller:
    """The caller from the authorizer's verified claims only: never from a body, query or path."""
    event = app.current_event
    context = event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        raise Unauthorized("Sign in again.")
    http = context.get("http") or {}
    auth_time = claims.get("auth_time")
    locale = claims.get("locale")
    return Caller(
        user_id=user_id,
        username=str(claims.get("preferred_username") or ""),
        groups=_groups(claims.get("groups")),
        auth_time=int(auth_time) if isinstance(auth_time, (int, str)) and str(auth_time).isdigit() else None,
        source_ip=http.get("sourceIp"),
        user_agent=http.get("userAgent"),
        correlation_id=str(context.get("requestId") or ""),
        step_up_token=header(app, "X-Step-Up-Token"),
        temporary_access_pass=header(app, "X-Temporary-Access-Pass"),
        base_url=base_url(app),
        language=language(app),
        # The identity provider's choice (OpenID Connect's locale claim): what notices are sent in.
        locale=locale if isinstance(locale, str) and _LOCALE.fullmatch(locale) else None,
    )


def base_url(app: HttpApiResolver) -> str | None:
    """scheme://host the caller used (API Gateway sets both headers; it is https in AWS)."""
    host = header(app, "host")
    if not host or any(c in host for c in "/\\@ "):
        return None
    scheme = header(app, "x-forwarded-proto") or "https"
    return f"{'http' if scheme == 'http' else 'https'}://{host}"


def service_caller(app: HttpApiResolver) -> Caller:
    """The sign-in service on an IAM-authorized route (SigV4, checked by API Gateway). A user's token
    is refused here even if a route lost its IAM authorizer: only an ``iam`` authorizer context
    counts. The returned caller acts as ``system``; the domain binds it to the user in the body."""
    context = app.current_event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    iam = authorizer.get("iam") if isinstance(authorizer, dict) else None
    principal = iam.get("userArn") or iam.get("callerId") if isinstance(iam, dict) else None
    if not isinstance(principal, str) or not principal or authorizer.get("jwt"):
        raise ServiceOnly("Only the sign-in service can call this route.")
    http = context.get("http") or {}
    return Caller(
        user_id=principal,
        source_ip=http.get("sourceIp"),
        user_agent=http.get("userAgent"),
        correlation_id=str(context.get("requestId") or ""),
        actor="system",
    )


class SignedRequest(NamedTuple):
    """A device's request as it arrived: what the signature covers, and the envelope for audit."""

    method: str
    path: str
    body: bytes
    timestamp: str | None
    nonce: str | None
    signature: str | None
    source_ip: str | None = None
    user_agent: str | None = None
    correlation_id: str = ""


def header(app: HttpApiResolver, name: str) -> str | None:
    value = app.current_event.headers.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def query(app: HttpApiResolver) -> dict[str, str]:
    """The query string's parameters (API Gateway joins a repeated name's values with commas)."""
    params = app.current_event.query_string_parameters or {}
    return {str(k): str(v) for k, v in params.items()}


def raw_body(app: HttpApiResolver) -> bytes:
    """The body's exact bytes, undecoded (a device's signature covers these)."""
    event = app.current_event
    data = event.body
    if not data:
        return b""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(data, validate=True)
        except ValueError:
            raise InvalidJson("The request body could not be read; send a JSON object.") from None
    # A text body the gateway passed as is; "surrogatepass" keeps what cannot be UTF-8 for the
    # strict decode in parse_json to refuse, rather than failing here.
    return data.encode("utf-8", "surrogatepass")


def body(app: HttpApiResolver) -> Any:
    """The body as JSON, decoded and checked once (UTF-8, JSON, no lone surrogates): a 400 that
    says what is wrong, never a 500."""
    return parse_json(raw_body(app))


def no_body(app: HttpApiResolver) -> None:
    """For a route that takes no input: an empty body or ``{}``; anything else is 400 naming it."""
    validation.no_body(body(app))


def device_request(app: HttpApiResolver) -> SignedRequest:
    """A device's signed request as it arrived: the exact path and body bytes its signature covers,
    the X-Device-* headers, and the envelope for audit."""
    event = app.current_event
    http = (event.get("requestContext") or {}).get("http") or {}
    return SignedRequest(
        method=str(http.get("method") or event.http_method),
        path=event.raw_path,
        body=raw_body(app),
        timestamp=header(app, "X-Device-Timestamp"),
        nonce=header(app, "X-Device-Nonce"),
        signature=header(app, "X-Device-Signature"),
        source_ip=http.get("sourceIp"),
        user_agent=http.get("userAgent"),
        correlation_id=str((event.get("requestContext") or {}).get("requestId") or ""),
    )
