"""A real OpenID Connect provider for the sign-in tests: Authlib's authorization server (the
code flow with its OpenID Connect extension) in a small Flask app, served by Werkzeug on
127.0.0.1 in a thread. It signs ID tokens with its own RSA key and serves discovery, JWKS,
authorize (a tiny log-in form), token and userinfo.

It requires PKCE (a code is exchanged only with its sign-in's verifier) and gives each code
once. Knobs a test sets before the sign-in: ``discovery_issuer`` (another issuer in its
discovery document), ``audience`` (the ID token's ``aud``, the client id by
default), ``token_lifetime`` (seconds; negative gives an ID token that has already expired),
the people it knows (``people``: subject → claims; anyone else has a ``sub`` only), ``acr`` and
``amr``, and ``auto_subject`` to sign someone in without showing the form. Tokens are dated by
``clock.timestamp()``, which the tests' time control moves together with Bollplank's clock.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from django_scopes import scopes_disabled
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from bollplank.accounts.identity import identity_provider_save
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.core import clock
from tests.servers import serve

LOGIN_FORM = """<!doctype html><html lang="en"><head><title>Test provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post"><label for="username">Username</label>
<input id="username" name="username" autocomplete="off">
<button type="submit">Sign in</button></form></main></body></html>"""


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0] if self.redirect_uris else ""

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "profile", "email"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Registered on first use: the test server's port is only known when it runs.
        return not self.redirect_uris or redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: str
    nonce: str | None
    acr: str | None
    amr: list[str] | None
    auth_time: int
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    def get_code_challenge(self) -> str | None:
        return self.code_challenge

    def get_code_challenge_method(self) -> str | None:
        return self.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def get_amr(self) -> list[str] | None:
        return self.amr


class TestProvider:
    """One provider with one client (Bollplank), run by ``start()`` until ``stop()``."""

    __test__ = False  # not a test class for pytest

    def __init__(self, *, client_id: str = "bollplank", client_secret: str | None = None) -> None:
        self.client = Client(client_id, client_secret or secrets.token_urlsafe(24))
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True)
        self.people: dict[str, dict[str, Any]] = {}
        self.acr: str | None = "http://id.elegnamnden.se/loa/1.0/loa3"
        self.amr: list[str] | None = ["bankid"]
        self.audience: str | None = None
        self.token_lifetime = 300
        # Set: the provider signs this subject in at once, without showing its form (a browser
        # test then never rests on a page of the provider's).
        self.auto_subject: str | None = None
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, str] = {}  # access token → subject
        self.used_codes: list[str] = []
        self.issuer = ""
        # Set: discovery names this issuer instead of its own address.
        self.discovery_issuer: str | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.app = self._make_app()

    # --- running ---------------------------------------------------------------------------

    def start(self) -> TestProvider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = serve(self._server)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def add_person(self, subject: str, **claims: Any) -> None:
        self.people[subject] = {"sub": subject, **claims}

    def person(self, subject: str) -> dict[str, Any]:
        """The claims of a subject: someone the provider knows nothing more of has a ``sub``
        only (an unknown person to Bollplank)."""
        return self.people.get(subject) or {"sub": subject}

    # --- the provider ----------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask(__name__)
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 300}
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri or "",
                    scope=req.payload.scope or "",
                    subject=req.user["sub"],
                    nonce=req.payload.data.get("nonce"),
                    acr=provider.acr,
                    amr=provider.amr,
                    auth_time=int(clock.timestamp()),
                    expires_at=clock.timestamp() + 60,
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                if (
                    found
                    and found.client_id == client.client_id
                    and found.expires_at > clock.timestamp()
                ):
                    return found
                return None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                # A code is good once: the second exchange of it is refused (invalid_grant).
                provider.codes.pop(authorization_code.code, None)
                provider.used_codes.append(authorization_code.code)

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return provider.person(authorization_code.subject)

        class IdToken(OpenIDCode):
            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return False

            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                now = int(clock.timestamp())
                return {
                    "iss": provider.issuer,
                    "aud": [provider.audience or client.client_id],
                    "iat": now if provider.token_lifetime > 0 else now - 600,
                    "exp": now + provider.token_lifetime,
                }

            def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
                return UserInfo(user)

        def save_token(token: dict[str, Any], req: Any) -> None:
            provider.tokens[token["access_token"]] = req.user["sub"]

        server = AuthorizationServer(
            app, query_client=lambda cid: self.client if cid == self.client.client_id else None
        )
        server.save_token = save_token  # type: ignore[method-assign]
        # PKCE required, as a careful provider does: a code is exchanged only with the
        # verifier of the sign-in that asked for it.
        server.register_grant(
            CodeGrant, [IdToken(require_nonce=False), CodeChallenge(required=True)]
        )

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=self.discovery_issuer or self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                userinfo_endpoint=f"{self.issuer}/userinfo",
                jwks_uri=f"{self.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                token_endpoint_auth_methods_supported=["client_secret_post", "client_secret_basic"],
                scopes_supported=["openid", "profile", "email"],
            )

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> Any:
            if request.method == "GET" and self.auto_subject is not None:
                return server.create_authorization_response(
                    grant_user=self.person(self.auto_subject)
                )
            if request.method == "GET":
                server.get_consent_grant(end_user=None)  # refuses a bad request here
                # The form posts back to this address, with the request's parameters.
                return LOGIN_FORM
            subject = request.form.get("username", "").strip()
            return server.create_authorization_response(grant_user=self.person(subject))

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo() -> Any:
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            subject = self.tokens.get(bearer)
            if subject is None:
                return jsonify(error="invalid_token"), 401
            return jsonify(self.person(subject))

        return app


# --- helpers for the tests --------------------------------------------------------------


def add_provider(world: Any, oidc: TestProvider, **kwargs: Any) -> IdentityProvider:
    """Solbacka skola's own sign-in, at the test provider."""
    defaults: dict[str, Any] = {
        "name": "Solbackas inloggning",
        "client": world.client,
        "required_for": [],
    }
    defaults.update(kwargs)
    with scopes_disabled():
        return identity_provider_save(
            actor=world.admin,
            practice=world.practice,
            server_url=oidc.issuer,
            client_id=oidc.client.client_id,
            secret=oidc.client.client_secret,
            **defaults,
        )


def sign_in(client: Any, provider: IdentityProvider, subject: str) -> Any:
    """Press "Log in with …", log in at the provider as ``subject``, come back: the answer."""
    start = client.post(provider.login_path)
    assert start.status_code == 302, start.content
    at_provider = requests.post(
        start.url, data={"username": subject}, allow_redirects=False, timeout=10
    )
    back = urlsplit(at_provider.headers["Location"])
    return client.get(f"{back.path}?{back.query}")
