"""The local OpenID provider at /local/oidc, as the pages (a public client with PKCE) use it.

Uses the session's runtime. One test moves the service clock past a code's lifetime, which the
others tolerate: each takes its own fresh code.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any

import jwt
import pytest

from local.oidc import CODE_LIFETIME_SECONDS
from local.runtime import Runtime
from tests.support_api import Api


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> dict[str, str]:
        """The query of the redirect, as the client reads it."""
        query = urllib.parse.urlsplit(self.headers["location"]).query
        return dict(urllib.parse.parse_qsl(query))


class Browser:
    """Just enough of a browser: no redirects followed, the provider's cookie kept."""

    def __init__(self, runtime: Runtime) -> None:
        self.port = runtime.port
        self.cookie = ""

    def send(self, method: str, path: str, form: dict[str, str] | None = None, **headers: str) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"localhost:{self.port}", **headers}
        if self.cookie:
            sent["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        connection.close()
        cookie = reply.headers.get("set-cookie", "")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return reply


@pytest.fixture
def browser(runtime: Runtime) -> Browser:
    return Browser(runtime)


@pytest.fixture
def config(runtime: Runtime) -> dict[str, Any]:
    answer = Api(runtime.url).call("GET", "/config.json")
    assert answer.status == 200
    return dict(answer.body)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(
    config: dict[str, Any], runtime: Runtime, challenge: str, **extra: str
) -> dict[str, str]:
    params = {
        "client_id": config["clientId"],
        "redirect_uri": f"http://localhost:{runtime.port}/",
        "response_type": "code",
        "scope": config["scopes"],
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}


def sign_in(
    browser: Browser, config: dict[str, Any], runtime: Runtime, username: str, *, admin: bool = False
) -> tuple[str, str, dict[str, str]]:
    """Through the sign-in page: the code, its verifier, and the authorize parameters."""
    verifier, challenge = pkce()
    params = authorize_params(config, runtime, challenge)
    # prompt=login: the page even when this browser's session would sign in without it.
    page = authorize(browser, {**params, "prompt": "login"})
    assert page.status == 200, page.body
    assert b'name="username"' in page.body and b'name="admin"' in page.body
    form = {**params, "username": username, **({"admin": "on"} if admin else {})}
    sent = browser.send("POST", "/local/oidc/authorize", form)
    assert sent.status == 302, sent.body
    back = sent.location
    assert back["state"] == params["state"]
    assert back["iss"] == config["issuer"]
    return back["code"], verifier, params


def authorize(browser: Browser, params: dict[str, str]) -> Reply:
    return browser.send("GET", "/local/oidc/authorize?" + urllib.parse.urlencode(params))


def logout(browser: Browser, params: dict[str, str]) -> Reply:
    return browser.send("GET", "/local/oidc/logout?" + urllib.parse.urlencode(params))


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def redeem(
    browser: Browser, params: dict[str, str], code: str, verifier: str | None, **override: str
) -> Reply:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        **({"code_verifier": verifier} if verifier is not None else {}),
        **override,
    }
    return browser.send("POST", "/local/oidc/token", form)


def test_discovery_names_the_issuer_the_gateway_trusts_and_s256_only(
    runtime: Runtime, browser: Browser
) -> None:
    answer = browser.send("GET", "/local/oidc/.well-known/openid-configuration")
    assert answer.status == 200
    meta = answer.json()
    assert meta["issuer"] == f"http://localhost:{runtime.port}/local/oidc"
    assert runtime.tokens is not None and meta["issuer"] == runtime.tokens.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert meta[endpoint].startswith(meta["issuer"] + "/")


def test_the_pages_config_points_at_the_provider(runtime: Runtime, config: dict[str, Any]) -> None:
    assert config["issuer"] == f"http://localhost:{runtime.port}/local/oidc"
    assert config["clientId"] and "openid" in config["scopes"].split()
    assert config["apiUrl"] == ""


def test_a_code_redeemed_with_its_verifier_gives_tokens_jwks_verifies_and_the_gateway_accepts(
    runtime: Runtime, browser: Browser, config: dict[str, Any]
) -> None:
    code, verifier, params = sign_in(browser, config, runtime, "oidc-alice", admin=True)
    answer = redeem(browser, params, code, verifier)
    assert answer.status == 200, answer.body
    assert answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0

    jwks = jwt.PyJWKSet.from_dict(browser.send("GET", "/local/oidc/jwks").json())
    key = jwks[jwt.get_unverified_header(tokens["access_token"])["kid"]].key
    # Time is checked by the gateway on the service clock (another test may have moved it).
    untimed = {"verify_iat": False, "verify_nbf": False, "verify_exp": False}
    access = jwt.decode(
        tokens["access_token"],
        key,
        ["RS256"],
        audience="security-info-local",
        issuer=config["issuer"],
        options=untimed,
    )
    assert access["preferred_username"] == "oidc-alice"
    assert access["client_id"] == config["clientId"]
    assert access["groups"] == ["SecurityInfoAdmins"]
    id_claims = jwt.decode(tokens["id_token"], key, ["RS256"], audience=config["clientId"], options=untimed)
    assert id_claims["nonce"] == params["nonce"] and id_claims["sub"] == access["sub"]

    api = Api(runtime.url)
    me = api.call("GET", "/me/security-info", token=tokens["access_token"])
    assert me.status == 200, me.body
    assert api.call("GET", "/admin/policy", token=tokens["access_token"]).status == 200
    # The ID token is for the pages, not the API.
    assert api.call("GET", "/me/security-info", token=tokens["id_token"]).status == 401


def test_the_locale_chosen_at_sign_in_is_a_claim(
    runtime: Runtime, browser: Browser, config: dict[str, Any]
) -> None:
    verifier, challenge = pkce()
    params = authorize_params(config, runtime, challenge)
    sent = browser.send(
        "POST", "/local/oidc/authorize", {**params, "username": "oidc-lena", "locale": "de-DE"}
    )
    tokens = redeem(browser, params, sent.location["code"], verifier).json()
    assert claims_of(tokens["access_token"])["locale"] == "de-DE"
    refused = browser.send(
        "POST", "/local/oidc/authorize", {**params, "username": "oidc-lena", "locale": "<x>"}
    )
    assert refused.status == 400 and b"language" in refused.body


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge": "", "code_challenge_method": ""}, "PKCE is required"),
        ({"code_challenge_method": "plain"}, "must be S256"),
        ({"code_challenge_method": ""}, "must be S256"),
        ({"code_challenge": "short"}, "not a base64url SHA-256"),
        ({"response_type": "token"}, "response_type must be code"),
        ({"scope": "profile"}, "must include openid"),
    ],
)
def test_an_authorize_request_without_s256_pkce_is_sent_back_with_an_oauth_error(
    runtime: Runtime, browser: Browser, config: dict[str, Any], change: dict[str, str], error: str
) -> None:
    _, challenge = pkce()
    params = authorize_params(config, runtime, challenge, **change)
    answer = authorize(browser, params)
    assert answer.status == 302
    assert answer.headers["location"].startswith(params["redirect_uri"] + "?")
    back = answer.location
    assert back["error"] in ("invalid_request", "unsupported_response_type", "invalid_scope")
    assert error in back["error_description"]
    assert back["state"] == params["state"] and "code" not in back


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/"}, "invalid_request"),
        ({"redirect_uri": ""}, "invalid_request"),
    ],
)
def test_an_unknown_client_or_redirect_uri_is_shown_an_error_never_redirected(
    runtime: Runtime, browser: Browser, config: dict[str, Any], change: dict[str, str], error: str
) -> None:
    _, challenge = pkce()
    params = authorize_params(config, runtime, challenge, **change)
    answer = authorize(browser, params)
    assert answer.status == 400
    assert "location" not in answer.headers
    assert answer.json()["error"] == error


def test_a_wrong_or_missing_verifier_is_refused_and_burns_the_code(
    runtime: Runtime, browser: Browser, config: dict[str, Any]
) -> None:
    code, verifier, params = sign_in(browser, config, runtime, "oidc-bob")
    wrong = redeem(browser, params, code, pkce()[0])
    assert wrong.status == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert wrong.json()["error_description"] == "code_verifier does not match the code_challenge"
    # A code is good for one try: the right verifier afterwards does not revive it.
    assert redeem(browser, params, code, verifier).json()["error"] == "invalid_grant"

    code, _, params = sign_in(browser, config, runtime, "oidc-bob")
    missing = redeem(browser, params, code, None)
    assert missing.status == 400 and "code_verifier" in missing.json()["error_description"]


def test_a_code_is_single_use(runtime: Runtime, browser: Browser, config: dict[str, Any]) -> None:
    code, verifier, params = sign_in(browser, config, runtime, "oidc-carol")
    assert redeem(browser, params, code, verifier).status == 200
    again = redeem(browser, params, code, verifier)
    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"
    assert "already used" in again.json()["error_description"]


def test_a_code_is_bound_to_its_redirect_uri_and_client(
    runtime: Runtime, browser: Browser, config: dict[str, Any]
) -> None:
    code, verifier, params = sign_in(browser, config, runtime, "oidc-dave")
    other_page = redeem(
        browser, params, code, verifier, redirect_uri=f"http://localhost:{runtime.port}/admin.html"
    )
    assert other_page.status == 400
    assert "redirect_uri" in other_page.json()["error_description"]

    code, verifier, params = sign_in(browser, config, runtime, "oidc-dave")
    other_client = redeem(browser, params, code, verifier, client_id="someone-else")
    assert other_client.status == 400 and other_client.json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(runtime: Runtime, browser: Browser, config: dict[str, Any]) -> None:
    code, verifier, params = sign_in(browser, config, runtime, "oidc-erin")
    Api(runtime.url).advance(CODE_LIFETIME_SECONDS + 1)
    late = redeem(browser, params, code, verifier)
    assert late.status == 400
    assert late.json() == {"error": "invalid_grant", "error_description": "the code has expired"}


def test_the_sign_in_session_lets_the_pages_come_back_until_sign_out(
    runtime: Runtime, browser: Browser, config: dict[str, Any]
) -> None:
    sign_in(browser, config, runtime, "oidc-frank")
    verifier, challenge = pkce()
    params = authorize_params(config, runtime, challenge)
    again = authorize(browser, params)
    assert again.status == 302  # no page: the session signs in
    tokens = redeem(browser, params, again.location["code"], verifier).json()
    assert claims_of(tokens["access_token"])["preferred_username"] == "oidc-frank"
    forced = authorize(browser, {**params, "prompt": "login"})
    assert forced.status == 200

    page = params["redirect_uri"]
    assert logout(browser, {"post_logout_redirect_uri": "https://evil.example/"}).status == 400
    out = logout(browser, {"post_logout_redirect_uri": page})
    assert out.status == 302 and out.headers["location"] == page
    assert authorize(browser, params).status == 200
    none = authorize(browser, {**params, "prompt": "none"})
    assert none.location["error"] == "login_required"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "username": "x"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code"}, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "made-up"}, "invalid_grant"),
    ],
)
def test_bad_token_requests_get_oauth_errors(browser: Browser, form: dict[str, str], error: str) -> None:
    answer = browser.send("POST", "/local/oidc/token", form)
    assert answer.status == 400 and answer.json()["error"] == error


def test_bad_input_is_a_4xx_never_a_500(runtime: Runtime, browser: Browser, config: dict[str, Any]) -> None:
    json_body = browser.send("POST", "/local/oidc/token", None, **{"Content-Type": "application/json"})
    assert json_body.status == 400 and json_body.json()["error"] == "invalid_request"
    assert browser.send("GET", "/local/oidc/nothing-here").status == 404
    assert browser.send("GET", "/local/oidc/authorize?%ff%fe=1").status == 400
    _, challenge = pkce()
    params = authorize_params(config, runtime, challenge)
    blank = browser.send("POST", "/local/oidc/authorize", {**params, "username": "  "})
    assert blank.status == 400 and b"Enter a username" in blank.body
    long = authorize(browser, {**params, "state": "s" * 5000})
    assert long.status == 400


def test_the_token_endpoint_answers_the_pages_origin_for_cors(runtime: Runtime, browser: Browser) -> None:
    origin = f"http://127.0.0.1:{runtime.port}"
    answer = browser.send("GET", "/local/oidc/.well-known/openid-configuration", Origin=origin)
    assert answer.headers["access-control-allow-origin"] == origin
    stranger = browser.send(
        "GET", "/local/oidc/.well-known/openid-configuration", Origin="https://evil.example"
    )
    assert "access-control-allow-origin" not in stranger.headers


def test_codes_and_tokens_are_not_logged(
    runtime: Runtime, browser: Browser, config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG"):
        code, verifier, params = sign_in(browser, config, runtime, "oidc-gina")
        tokens = redeem(browser, params, code, verifier).json()
    text = caplog.text
    for secret in (
        code,
        verifier,
        tokens["access_token"],
        tokens["id_token"],
        browser.cookie.split("=", 1)[1],
    ):
        assert secret not in text


def test_the_pages_are_served_with_the_security_headers(runtime: Runtime, browser: Browser) -> None:
    answer = browser.send("GET", "/")
    csp = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and f"connect-src 'self' http://localhost:{runtime.port}" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
