"""A local stand-in for the identity provider, and the JWT authorizer that checks its tokens.

Tokens are RS256 JWTs signed by a key made at startup. The verifier does what API Gateway's JWT
authorizer does: signature by ``kid``, ``iss``, ``aud`` (or ``client_id``), ``exp``/``nbf``/``iat``
on the service clock, the route's scopes; and it renders the claims the way API Gateway hands them
to a function (every value a string, a list as ``"[a b]"``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from local.clock import LocalClock
from local.routes import Authorization

TOKEN_LIFETIME_SECONDS = 24 * 3600
SERVICE_SUBJECT = "signin-service"
SERVICE_SCOPE = "signin-service"
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9._@-]{1,64}")


class Denied(Exception):
    """The authorizer refuses the request; ``status`` is what API Gateway answers."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Caller:
    """A verified token: its claims as issued, and as the authorizer renders them."""

    claims: dict[str, Any]

    def rendered_claims(self) -> dict[str, str]:
        return {k: render_claim(v) for k, v in self.claims.items() if v is not None}

    @property
    def scopes(self) -> list[str]:
        raw = self.claims.get("scp", self.claims.get("scope", ""))
        return raw.split() if isinstance(raw, str) else [str(s) for s in raw or []]


def render_claim(value: Any) -> str:
    """A claim value as API Gateway's JWT authorizer passes it in payload 2.0.

    Measured against AWS: numbers and booleans become their text, a list becomes its items
    space-separated in brackets (``["a", "b"]`` -> ``"[a b]"``), an object its JSON text.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(render_claim(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def user_id_for(username: str) -> str:
    """Stable per username, so signing in as "alice" again finds alice's security info."""
    return "u-" + hashlib.sha256(username.encode()).hexdigest()[:20]


class TokenService:
    def __init__(self, issuer: str, audience: str, admin_group: str, clock: LocalClock) -> None:
        self.issuer = issuer
        self.audience = audience
        self.admin_group = admin_group
        self.clock = clock
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:16]

    # -- issuing ----------------------------------------------------------------------------

    def issue(
        self,
        username: str | None,
        *,
        admin: bool = False,
        service: bool = False,
        client_id: str | None = None,
        scope: str | None = None,
        locale: str | None = None,
        auth_time: int | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """A signed access token and its claims (``client_id``, ``scope``: as issued to the pages)."""
        now = int(self.clock.now())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
            "token_use": "access",
        }
        if service:
            claims.update(sub=SERVICE_SUBJECT, client_id=SERVICE_SUBJECT, scope=SERVICE_SCOPE)
        else:
            if username is None:
                raise ValueError("a user token needs a username")
            claims.update(sub=user_id_for(username), preferred_username=username, auth_time=auth_time or now)
            if admin:
                claims["groups"] = [self.admin_group]
            if locale:
                claims["locale"] = locale
            if client_id:
                claims["client_id"] = client_id
            if scope:
                claims["scope"] = scope
        return self._sign(claims), claims

    def id_token(self, access_claims: dict[str, Any], *, audience: str, nonce: str | None) -> str:
        """The OpenID Connect ID token for the same sign-in: addressed to the client, not the API."""
        keep = ("iss", "sub", "iat", "nbf", "exp", "auth_time", "preferred_username", "groups", "locale")
        claims = {k: access_claims[k] for k in keep if k in access_claims}
        claims.update(aud=audience, jti=str(uuid.uuid4()))
        if nonce:
            claims["nonce"] = nonce
        return self._sign(claims)

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    # -- verifying --------------------------------------------------------------------------

    def verify(self, auth: Authorization, header_value: str | None) -> Caller:
        """What the JWT authorizer decides for a route; raises :class:`Denied`."""
        if not header_value:
            raise Denied(401, "no token")
        token = header_value.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Denied(401, "malformed token") from None
        if header.get("alg") != "RS256" or header.get("kid") != self.kid:
            raise Denied(401, "unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key.public_key(),
                algorithms=["RS256"],
                # Time checks below use the service clock, which may run ahead of the wall clock.
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                         "verify_aud": False, "verify_iss": False},
            )  # fmt: skip
        except jwt.PyJWTError:
            raise Denied(401, "bad signature") from None
        if claims.get("iss") != auth.issuer:
            raise Denied(401, "issuer does not match")
        audiences = claims.get("aud", [])
        audiences = [audiences] if isinstance(audiences, str) else list(audiences)
        if claims.get("client_id"):
            audiences.append(claims["client_id"])
        if auth.audiences and not set(audiences) & set(auth.audiences):
            raise Denied(401, "audience does not match")
        now = self.clock.now()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            raise Denied(401, "token expired")
        if isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now:
            raise Denied(401, "token not yet valid")
        if isinstance(claims.get("iat"), int | float) and claims["iat"] > now:
            raise Denied(401, "token issued in the future")
        caller = Caller(claims)
        if auth.scopes and not set(caller.scopes) & set(auth.scopes):
            raise Denied(403, "token lacks the route's scopes")
        return caller

    def verify_service(self, header_value: str | None) -> Caller:
        """Locally, an IAM-authorized route accepts the sign-in service's token instead of SigV4."""
        if not header_value:
            raise Denied(403, "no credentials")
        auth = Authorization(kind="jwt", issuer=self.issuer, audiences=(self.audience,))
        try:
            caller = self.verify(auth, header_value)
        except Denied:
            raise Denied(403, "not the sign-in service") from None
        if SERVICE_SCOPE not in caller.scopes:
            raise Denied(403, "not the sign-in service")
        return caller
