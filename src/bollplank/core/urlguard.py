"""Addresses with control characters are refused before any view runs.

A form's text fields and the API's input are checked field by field (core.validators), but a
view also reads its address: tokens in the path, ``?email=``, ``?page=``. No real address holds
a control character, and PostgreSQL refuses a NUL in a query outright, so one check here keeps
every such lookup from becoming a server error: the request gets 400 (the error page).

Addresses the server itself fetches (an outside calendar, an organisation's sign-in) must not
lead into this machine or a private network: ``private_host`` is the one check for that."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

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


def private_host(hostname: str, port: int) -> bool:
    """Whether ``hostname`` resolves to this machine, a private or a link-local network (any
    of its addresses: a name with one public and one private address is private). A name that
    does not resolve is not private: the fetch itself will fail."""
    try:
        infos = socket.getaddrinfo(hostname, port)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local:
            return True
    return False
