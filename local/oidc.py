"""A small OpenID Connect provider at ``/local/oidc``, standing in for the organization's.

Authorization code flow with PKCE (S256 only) for the pages, a public client (no secret), as a
single-page application is registered at a real identity provider. Its tokens come from
:class:`local.tokens.TokenService`, so they are exactly the ones the local gateway verifies.

It keeps a sign-in session (a cookie scoped to ``/local/oidc``) as real providers do: the pages
hold their tokens in memory only, so a reload goes through ``/authorize`` again and comes straight
back while the session lasts. Sign-out (``end_session_endpoint``) ends it.

Never logged: codes, verifiers, tokens, session ids.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import logging
import re
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any

from local.apigw import HttpRequest, HttpResponse
from local.clock import LocalClock
from local.tokens import TOKEN_LIFETIME_SECONDS, USERNAME_PATTERN, TokenService

log = logging.getLogger("local.oidc")

PREFIX = "/local/oidc"
CODE_LIFETIME_SECONDS = 60  # RFC 6749 recommends at most 10 minutes; a browser needs a second
SESSION_COOKIE = "local_oidc_session"
# RFC 7636: a verifier is 43 to 128 of these; an S256 challenge is always 43 (32 bytes, base64url).
VERIFIER_PATTERN = re.compile(r"[A-Za-z0-9._~-]{43,128}")
CHALLENGE_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
LOCALE_PATTERN = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}")
LOCALES = ("", "en-US", "en-GB", "nl-NL", "nl-BE", "de-DE", "fr-FR", "es-ES", "ja-JP")
MAX_PARAM_CHARS = 2048


class OAuthError(Exception):
    """An error the provider answers with ``{"error", "error_description"}`` (RFC 6749 §5.2)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class Client:
    client_id: str
    redirect_uris: frozenset[str]
    scopes: tuple[str, ...]

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(_origin(uri) for uri in self.redirect_uris)


@dataclass(frozen=True)
class AuthorizeRequest:
    """The validated parameters of one ``/authorize`` call."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str
    prompt: str
    ui_locales: str


@dataclass(frozen=True)
class Login:
    username: str
    admin: bool
    locale: str | None
    auth_time: int


@dataclass(frozen=True)
class Grant:
    """What one authorization code stands for, and what redeeming it must match."""

    request: AuthorizeRequest
    login: Login
    expires_at: float


class OidcProvider:
    def __init__(self, tokens: TokenService, clock: LocalClock, client: Client) -> None:
        self.tokens = tokens
        self.clock = clock
        self.client = client
        self.issuer = tokens.issuer
        self._lock = threading.Lock()
        self._codes: dict[str, Grant] = {}  # keyed by the code's SHA-256, never the code itself
        self._sessions: dict[str, Login] = {}

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        sub = request.path[len(PREFIX) :] or "/"
        key = f"{request.method} {sub}"
        try:
            if key == "GET /.well-known/openid-configuration":
                return self._cors(request, HttpResponse.json(200, self.discovery()))
            if key == "GET /jwks":
                return self._cors(request, HttpResponse.json(200, self.tokens.jwks()))
            if request.method == "OPTIONS":
                return self._preflight(request)
            if key == "POST /token":
                return self._cors(request, self._token(request))
            if key in ("GET /authorize", "POST /authorize"):
                return self._authorize(request)
            if key == "GET /logout":
                return self._logout(request)
        except OAuthError as exc:
            # An error before a redirect URI is trusted is shown, never redirected (RFC 6749 §4.1.2.1).
            return self._cors(request, _oauth_error(exc))
        return _oauth_error(OAuthError("not_found", f"no such endpoint: {request.method} {sub}", 404))

    def discovery(self) -> dict[str, Any]:
        base = self.issuer.rstrip("/")
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": sorted({"openid", "profile", *self.client.scopes}),
            "claims_supported": ["sub", "preferred_username", "groups", "locale", "auth_time", "nonce"],
            "prompt_values_supported": ["none", "login"],
            "authorization_response_iss_parameter_supported": True,
        }

    # -- /authorize -------------------------------------------------------------------------

    def _authorize(self, request: HttpRequest) -> HttpResponse:
        params = _query(request.raw_query) if request.method == "GET" else _form(request)
        auth = self._validate_authorize(params)
        if request.method == "GET":
            login = self._session_login(request)
            if login is not None and auth.prompt != "login":
                return self._grant(auth, login)
            if auth.prompt == "none":
                return _redirect_error(auth, "login_required", "no sign-in session", self.issuer)
            return self._sign_in_page(auth, status=200)
        # The sign-in form was sent.
        username = params.get("username", "").strip()
        if not USERNAME_PATTERN.fullmatch(username):
            return self._sign_in_page(
                auth, status=400, error="Enter a username of 1 to 64 letters, digits or . _ @ -",
                username=username[:64],
            )  # fmt: skip
        locale = params.get("locale", "") or auth.ui_locales.split(" ")[0]
        if locale and not LOCALE_PATTERN.fullmatch(locale):
            return self._sign_in_page(
                auth, status=400, error="Choose a language from the list.", username=username
            )
        login = Login(username, params.get("admin") == "on", locale or None, int(self.clock.now()))
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session_id] = login
        response = self._grant(auth, login)
        response.headers.append(
            ("Set-Cookie", f"{SESSION_COOKIE}={session_id}; Path={PREFIX}; HttpOnly; SameSite=Lax")
        )
        return response

    def _validate_authorize(self, params: dict[str, str]) -> AuthorizeRequest:
        """Client and redirect URI first (errors shown here), then the rest (errors redirected)."""
        for name, value in params.items():
            if len(value) > MAX_PARAM_CHARS:
                raise OAuthError("invalid_request", f"{name} is too long")
        client_id = params.get("client_id", "")
        if client_id != self.client.client_id:
            raise OAuthError("invalid_client", "unknown client_id")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in self.client.redirect_uris:
            raise OAuthError("invalid_request", "redirect_uri is not registered for this client")
        auth = AuthorizeRequest(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=params.get("scope", ""),
            state=params.get("state", ""),
            nonce=params.get("nonce", ""),
            code_challenge=params.get("code_challenge", ""),
            prompt=params.get("prompt", ""),
            ui_locales=params.get("ui_locales", ""),
        )
        problem: tuple[str, str] | None = None
        if params.get("response_type") != "code":
            problem = ("unsupported_response_type", "response_type must be code")
        elif "openid" not in auth.scope.split():
            problem = ("invalid_scope", "scope must include openid")
        elif not set(auth.scope.split()) <= {"openid", "profile", *self.client.scopes}:
            problem = ("invalid_scope", "scope names a scope this client may not ask for")
        elif not auth.code_challenge:
            problem = ("invalid_request", "PKCE is required: send code_challenge (S256)")
        elif params.get("code_challenge_method") != "S256":
            problem = ("invalid_request", "code_challenge_method must be S256 (plain is refused)")
        elif not CHALLENGE_PATTERN.fullmatch(auth.code_challenge):
            problem = ("invalid_request", "code_challenge is not a base64url SHA-256")
        elif auth.prompt not in ("", "none", "login"):
            problem = ("invalid_request", "prompt must be none or login")
        if problem is not None:
            raise _Redirect(_redirect_error(auth, *problem, self.issuer))
        return auth

    def _grant(self, auth: AuthorizeRequest, login: Login) -> HttpResponse:
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = self.clock.now()
            # Expired codes are dropped as new ones are made, so the table stays small.
            self._codes = {k: g for k, g in self._codes.items() if g.expires_at > now}
            self._codes[_digest(code)] = Grant(auth, login, now + CODE_LIFETIME_SECONDS)
        log.info("authorization code issued for client %s", auth.client_id)
        return _redirect(auth.redirect_uri, {"code": code, "state": auth.state, "iss": self.issuer})

    def _session_login(self, request: HttpRequest) -> Login | None:
        session_id = _cookie(request, SESSION_COOKIE)
        if not session_id:
            return None
        with self._lock:
            return self._sessions.get(session_id)

    # -- /token -----------------------------------------------------------------------------

    def _token(self, request: HttpRequest) -> HttpResponse:
        params = _form(request)
        if params.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code")
        code = params.get("code", "")
        if not code:
            raise OAuthError("invalid_request", "code is missing")
        with self._lock:
            # Taken out on first sight: a code is good for one try, right or wrong (RFC 6749 §4.1.2).
            grant = self._codes.pop(_digest(code), None)
        if grant is None:
            raise OAuthError("invalid_grant", "the code is unknown or was already used")
        if grant.expires_at <= self.clock.now():
            raise OAuthError("invalid_grant", "the code has expired")
        if params.get("client_id") != grant.request.client_id:
            raise OAuthError("invalid_grant", "the code was issued to another client")
        if params.get("redirect_uri") != grant.request.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
        verifier = params.get("code_verifier", "")
        if not VERIFIER_PATTERN.fullmatch(verifier):
            raise OAuthError("invalid_grant", "code_verifier is missing or malformed")
        if not hmac.compare_digest(_s256(verifier), grant.request.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        login, auth = grant.login, grant.request
        access_token, claims = self.tokens.issue(
            login.username, admin=login.admin, client_id=auth.client_id, scope=auth.scope,
            locale=login.locale, auth_time=login.auth_time,
        )  # fmt: skip
        id_token = self.tokens.id_token(claims, audience=auth.client_id, nonce=auth.nonce or None)
        log.info("tokens issued for client %s", auth.client_id)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "id_token": id_token,
            "scope": auth.scope,
        }
        return HttpResponse.json(200, body, [("Cache-Control", "no-store"), ("Pragma", "no-cache")])

    # -- /logout ----------------------------------------------------------------------------

    def _logout(self, request: HttpRequest) -> HttpResponse:
        session_id = _cookie(request, SESSION_COOKIE)
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)
        expire = ("Set-Cookie", f"{SESSION_COOKIE}=; Path={PREFIX}; Max-Age=0; HttpOnly; SameSite=Lax")
        target = _query(request.raw_query).get("post_logout_redirect_uri", "")
        if target:
            # Only back to a registered page: an open redirect would hand out a trusted link.
            if target not in self.client.redirect_uris:
                raise OAuthError("invalid_request", "post_logout_redirect_uri is not registered")
            response = _redirect(target, {})
        else:
            response = _page(200, "Signed out", "<h1>You signed out</h1><p>You can close this tab.</p>")
        response.headers.append(expire)
        return response

    # -- pages and CORS ---------------------------------------------------------------------

    def _sign_in_page(
        self, auth: AuthorizeRequest, *, status: int, error: str = "", username: str = ""
    ) -> HttpResponse:
        hidden = {
            "client_id": auth.client_id,
            "redirect_uri": auth.redirect_uri,
            "response_type": "code",
            "scope": auth.scope,
            "state": auth.state,
            "nonce": auth.nonce,
            "code_challenge": auth.code_challenge,
            "code_challenge_method": "S256",
            "ui_locales": auth.ui_locales,
        }
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in hidden.items()
        )
        options = "".join(f'<option value="{code}">{code or "Not set"}</option>' for code in LOCALES)
        error_html = f'<p class="error" role="alert" id="error">{html.escape(error)}</p>' if error else ""
        invalid = ' aria-invalid="true" aria-describedby="error"' if error else ""
        body = f"""
<main>
  <p class="brand">Local identity provider</p>
  <h1>Sign in</h1>
  <p class="hint">Stands in for your organization's sign-in. Any username works; the same name
  finds the same user again.</p>
  <form method="post" action="{PREFIX}/authorize">
    {fields}
    <label for="username">Username</label>
    <input id="username" name="username" autocomplete="username" maxlength="64" required autofocus
      spellcheck="false" value="{html.escape(username)}"{invalid}>
    {error_html}
    <label class="check"><input type="checkbox" name="admin"> Sign in as an administrator</label>
    <label for="locale">Language (the <code>locale</code> claim)</label>
    <select id="locale" name="locale">{options}</select>
    <button type="submit">Sign in</button>
  </form>
</main>"""
        return _page(status, "Sign in", body, form_target=_origin(auth.redirect_uri))

    def _cors(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # The pages may be on another origin than the provider (127.0.0.1 and localhost differ).
        origin = request.header("origin")
        if origin and origin in self.client.origins:
            response.headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return response

    def _preflight(self, request: HttpRequest) -> HttpResponse:
        response = self._cors(request, HttpResponse(204))
        response.headers += [
            ("Access-Control-Allow-Methods", "GET, POST"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Max-Age", "600"),
        ]
        return response


class _Redirect(OAuthError):
    """An authorization error once the redirect URI is trusted: it goes back to the client."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("redirect", "redirected")
        self.response = response


def _oauth_error(exc: OAuthError) -> HttpResponse:
    if isinstance(exc, _Redirect):
        return exc.response
    return HttpResponse.json(
        exc.status,
        {"error": exc.error, "error_description": exc.description},
        [("Cache-Control", "no-store")],
    )


def _redirect(uri: str, params: dict[str, str]) -> HttpResponse:
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v})
    location = f"{uri}{'&' if '?' in uri else '?'}{query}" if query else uri
    return HttpResponse(302, [("Location", location), ("Cache-Control", "no-store")])


def _redirect_error(auth: AuthorizeRequest, error: str, description: str, issuer: str) -> HttpResponse:
    params = {"error": error, "error_description": description, "state": auth.state, "iss": issuer}
    return _redirect(auth.redirect_uri, params)


def _page(status: int, title: str, body: str, form_target: str = "") -> HttpResponse:
    nonce = secrets.token_urlsafe(16)
    # form-action names the client's origin too: Chromium checks the redirect after the POST.
    csp = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self' {form_target}".strip()
        + "; frame-ancestors 'none'; base-uri 'none'"
    )
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - local identity provider</title>
<style nonce="{nonce}">{_STYLE}</style></head>
<body>{body}</body></html>"""
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", csp),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]
    return HttpResponse(status, headers, document.encode())


_STYLE = """
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;box-shadow:0 2px 6px #0003}
.brand{font-weight:600;color:#5e5e5e;margin:0}h1{font-size:1.5rem;margin:.5rem 0 1rem}
.hint{color:#5e5e5e;font-size:.875rem}label{display:block;margin:1rem 0 .25rem;font-size:.9rem}
input[type=text],input:not([type]),select{width:100%;box-sizing:border-box;padding:.4rem;font:inherit;
border:1px solid #8a8886}.check{display:flex;gap:.5rem;align-items:center}
.error{color:#a4262c;font-size:.875rem;margin:.25rem 0}
button{margin-top:1.5rem;background:#0067b8;color:#fff;border:0;padding:.5rem 1.5rem;font:inherit}
"""


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _origin(uri: str) -> str:
    parts = urllib.parse.urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _query(raw: str) -> dict[str, str]:
    # The first value of a repeated parameter; RFC 6749 says repeats are an error, but a clear
    # answer about the value that matters serves a developer better here.
    params: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(raw, keep_blank_values=True):
        params.setdefault(key, value)
    return params


def _form(request: HttpRequest) -> dict[str, str]:
    media = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "send the parameters as application/x-www-form-urlencoded")
    try:
        return _query(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the body is not UTF-8") from None


def _cookie(request: HttpRequest, name: str) -> str | None:
    for part in (request.header("cookie") or "").replace(",", ";").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def client_config(provider: OidcProvider, api_url: str = "") -> dict[str, Any]:
    """What the pages read from ``/config.json`` when the local runtime serves them."""
    return {
        "apiUrl": api_url,
        "issuer": provider.issuer,
        "clientId": provider.client.client_id,
        "scopes": " ".join(["openid", "profile", *provider.client.scopes]),
    }


__all__ = ["Client", "OidcProvider", "client_config"]
