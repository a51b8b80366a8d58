"""Addresses with control characters are refused before any view runs.

A form's text fields and the API's input are checked field by field (core.validators), but a
view also reads its address: tokens in the path, ``?email=``, ``?page=``. No real address holds
a control character, and PostgreSQL refuses a NUL in a query outright, so one check here keeps
every such lookup from becoming a server error: the request gets 400 (the error page).

Addresses the server itself fetches (an outside calendar, an organisation's sign-in) must not
lead into this machine or a private network: ``private_host`` is the one check for that."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from requests.adapters import HTTPAdapter

from bollplank.core.validators import control_characters_in


class ControlCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parts = [request.path, *request.GET.keys()]
        parts += [value for values in request.GET.lists() for value in values[1]]
        if any(control_characters_in(part, multiline=False) for part in parts):
            raise BadRequest("control characters in the address")
        return self.get_response(request)


def private_address(address: str) -> bool:
    """Whether an IP address is anything but a public internet address: this machine, a
    private, link-local, shared (100.64.0.0/10), reserved or documentation network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def private_host(hostname: str, port: int) -> bool:
    """Whether ``hostname`` resolves to this machine or a non-public network (any of its
    addresses: a name with one public and one private address is private). A name that does
    not resolve is not private: the fetch itself will fail."""
    try:
        infos = socket.getaddrinfo(hostname, port)
    except OSError:
        return False
    return any(private_address(str(info[4][0])) for info in infos)


class PrivateAddressError(requests.exceptions.ConnectionError):
    """A fetch that would reach this machine or a private network."""


def _checked(sock: socket.socket) -> socket.socket:
    # The address actually connected to: a name resolved once for a check and again for the
    # connection (DNS rebinding) cannot slip a private address past it.
    peer = sock.getpeername()[0]
    if private_address(str(peer)):
        sock.close()
        raise OSError(f"refused: {peer} is not a public address")
    return sock


class _PublicHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn())


class _PublicHTTPSConnection(urllib3.connection.HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(super()._new_conn())


class _PublicHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """requests' adapter that refuses to talk to anything but a public address, checked on
    the connected socket."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {  # type: ignore[attr-defined]
            "http": _PublicHTTPPool,
            "https": _PublicHTTPSPool,
        }


class _PublicHTTPClientConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _checked(self.sock)


class _PublicHTTPSClientConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _checked(self.sock)


class PublicHTTPHandler(urllib.request.HTTPHandler):
    """urllib's handler that talks to public addresses only, checked on the connected socket
    (as PublicOnlyAdapter does for requests)."""

    def http_open(self, req: Any) -> Any:
        return self.do_open(_PublicHTTPClientConnection, req)


class PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        return self.do_open(_PublicHTTPSClientConnection, req, context=self._context)  # type: ignore[attr-defined]


def public_session(
    *, allowed: Callable[[], bool] = lambda: False, schemes: tuple[str, ...] = ("https",)
) -> requests.Session:
    """A requests session for fetching addresses that others chose (an identity provider's
    discovery document and what it names): public addresses only, no redirects (a public
    address could answer with a redirect into the network), and no proxy from the
    environment (its address would be the one checked). ``allowed()`` true: private hosts and
    plain http too (development and the tests' own servers on 127.0.0.1)."""
    session = requests.Session()
    session.max_redirects = 0
    session.trust_env = False
    send = session.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if not allowed() and (
            parts.scheme not in schemes
            or not parts.hostname
            or private_host(parts.hostname, parts.port or 443)
        ):
            raise PrivateAddressError(f"not a public address: {parts.hostname}")
        return send(method, url, *args, **kwargs)

    session.request = request  # type: ignore[method-assign,assignment]
    if not allowed():
        session.mount("https://", PublicOnlyAdapter())
        session.mount("http://", PublicOnlyAdapter())
    return session
