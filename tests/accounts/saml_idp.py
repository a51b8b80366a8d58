"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP behind a small WSGI server on
127.0.0.1, in a thread.

It speaks the profile an organisation's IdP speaks to Bollplank: an AuthnRequest comes in by
HTTP-Redirect, the person picks who they sign in as on a tiny form, and a signed Response (with
a signed assertion) goes back by HTTP-POST through a form that submits itself. The assertion
carries the e-mail address as ``mail`` (urn:oid:0.9.2342.19200300.100.1.3), a persistent NameID,
and the level of assurance as its AuthnContextClassRef.

Knobs for what a real IdP (or an attacker) may send: ``audience`` (an assertion meant for
another service), ``sign_assertion`` (off: only the response around it is signed), ``expired``
(NotOnOrAfter an hour before now: pysaml2 and python3-saml read the time through the ``time``
module, which the tests' time-machine travel moves, so "now" is the tests' instant), ``loa``,
and ``last_post`` (the last response, for posting it a second time). ``autosubmit`` off makes
the hand-off page wait for its button (a browser test checks that page with axe first).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from bollplank.core import clock
from tests.servers import serve

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"
ELSEWHERE = "https://elsewhere.example/saml/metadata"

# What an IdP's administrator registers for a service: its entity id and where answers go.
_SP_METADATA = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">'
    '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '<md:AssertionConsumerService index="1" Location="{acs_url}"'
    ' Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"/>'
    "</md:SPSSODescriptor></md:EntityDescriptor>"
)


@dataclass
class Posted:
    """A response as the IdP's hand-off form posts it to the service's ACS."""

    acs_url: str
    saml_response: str
    relay_state: str

    @property
    def data(self) -> dict[str, str]:
        return {"SAMLResponse": self.saml_response, "RelayState": self.relay_state}


def self_signed_certificate(common_name: str) -> tuple[bytes, bytes]:
    """A self-signed certificate and its key (PEM), valid well around the tests' instant."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _page(title: str, body: str, script: str = "") -> bytes:
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main>{script}</body></html>"
    ).encode()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The tests' output is no place for an access log."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class SamlIdP:
    """Start with ``start()`` (or as a context manager); ``url`` is known after that."""

    def __init__(self) -> None:
        self.loa = LOA3
        self.audience: str | None = None
        self.expired = False
        self.sign_assertion = True
        self.autosubmit = True
        self.last_post: Posted | None = None
        # How often Bollplank read the metadata address (a refused address is never read).
        self.metadata_fetches = 0
        self._pending: dict[str, tuple[Any, str]] = {}
        self._dir = Path(tempfile.mkdtemp(prefix="saml-idp-"))
        self._httpd: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.cert_pem = ""
        self.server: Server | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> SamlIdP:
        self._httpd = make_server(
            "127.0.0.1", 0, self._app, server_class=_ThreadingServer, handler_class=_Quiet
        )
        self.url = f"http://127.0.0.1:{self._httpd.server_port}"
        cert, key = self_signed_certificate("Test-IdP")
        (self._dir / "idp.crt").write_bytes(cert)
        (self._dir / "idp.key").write_bytes(key)
        self.cert_pem = cert.decode()
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "service": {
                    "idp": {
                        "name": "Test-IdP",
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": False,
                    }
                },
                "key_file": str(self._dir / "idp.key"),
                "cert_file": str(self._dir / "idp.crt"),
                "xmlsec_binary": shutil.which("xmlsec1"),
                "metadata": {},
            }
        )
        self.server = Server(config=config)
        self._thread = serve(self._httpd)
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> SamlIdP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what an administrator copies into Bollplank ---------------------------------------

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.url}/sso"

    @property
    def cert_body(self) -> str:
        """The certificate as IdP set-up pages show it: base64 without the PEM frame."""
        lines = self.cert_pem.strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))

    def metadata_xml(self) -> str:
        assert self.server is not None
        return str(entity_descriptor(self.server.config))

    # --- the protocol -----------------------------------------------------------------------

    @staticmethod
    def name_id_of(email: str) -> str:
        """The persistent subject identifier of an address (stable, not the address itself)."""
        return "subject-" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:20]

    def respond(self, pending: Any, relay_state: str, email: str) -> Posted:
        """The signed Response to ``pending`` (a parsed AuthnRequest) for the person ``email``."""
        assert self.server is not None
        request = pending.message
        sp_entity_id = request.issuer.text
        acs_url = request.assertion_consumer_service_url
        audience = self.audience or sp_entity_id
        self._register(audience, acs_url)
        lifetime = {"minutes": -60} if self.expired else {"minutes": 5}
        policy = Policy(
            {
                "default": {
                    "lifetime": lifetime,
                    "name_form": NAME_FORMAT_URI,
                    "attribute_restrictions": None,
                }
            }
        )
        response = self.server.create_authn_response(
            identity={"mail": [email]},
            in_response_to=request.id,
            destination=acs_url,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.name_id_of(email)),
            authn={"class_ref": self.loa, "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=self.sign_assertion,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            release_policy=policy,
        )
        posted = Posted(
            acs_url=acs_url,
            saml_response=base64.b64encode(str(response).encode()).decode(),
            relay_state=relay_state,
        )
        self.last_post = posted
        return posted

    def _register(self, entity_id: str, acs_url: str) -> None:
        """The IdP answers services it knows: each one that asks is registered on first sight
        (a test's service lives at a new address every run)."""
        assert self.server is not None
        try:
            self.server.metadata[entity_id]
        except KeyError:
            xml = _SP_METADATA.format(
                entity_id=html.escape(entity_id), acs_url=html.escape(acs_url)
            )
            self.server.metadata.load("inline", xml)

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == "/metadata":
                self.metadata_fetches += 1
                return self._reply(start_response, self.metadata_xml().encode(), "text/xml")
            if path == "/sso" and method == "GET":
                return self._sso(environ, start_response)
            if path == "/sso/login" and method == "POST":
                return self._login(environ, start_response)
        except Exception as exc:  # a test sees the IdP's failure as a page, not a hang
            body = _page("Fel i test-IdP", f"<pre>{html.escape(repr(exc))}</pre>")
            return self._reply(start_response, body, status="500 Internal Server Error")
        return self._reply(start_response, b"not found", "text/plain", "404 Not Found")

    def _sso(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        assert self.server is not None
        query = parse_qs(environ.get("QUERY_STRING", ""))
        pending = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        ticket = secrets.token_urlsafe(16)
        self._pending[ticket] = (pending, query.get("RelayState", [""])[0])
        body = (
            '<form method="post" action="/sso/login">'
            f'<input type="hidden" name="ticket" value="{ticket}">'
            '<p><label for="email">Logga in som (e-postadress)</label> '
            '<input id="email" name="email" type="email" autocomplete="off" required></p>'
            '<p><button type="submit">Logga in</button></p></form>'
        )
        return self._reply(start_response, _page("Test-IdP: logga in", body))

    def _login(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        pending, relay_state = self._pending.pop(form["ticket"][0])
        posted = self.respond(pending, relay_state, form["email"][0])
        body = (
            f'<form id="handoff" method="post" action="{html.escape(posted.acs_url)}">'
            f'<input type="hidden" name="SAMLResponse" value="{posted.saml_response}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            "<p>Du skickas tillbaka till tjänsten.</p>"
            '<p><button type="submit">Fortsätt</button></p></form>'
        )
        script = (
            "<script>document.getElementById('handoff').submit();</script>"
            if self.autosubmit
            else ""
        )
        return self._reply(start_response, _page("Test-IdP: skickar svar", body, script))

    @staticmethod
    def _reply(
        start_response: Any,
        body: bytes,
        content_type: str = "text/html; charset=utf-8",
        status: str = "200 OK",
    ) -> Iterator[bytes]:
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return iter([body])
