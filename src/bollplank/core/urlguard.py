"""Addresses with control characters are refused before any view runs.

A form's text fields and the API's input are checked field by field (core.validators), but a
view also reads its address: tokens in the path, ``?email=``, ``?page=``. No real address holds
a control character, and PostgreSQL refuses a NUL in a query outright, so one check here keeps
every such lookup from becoming a server error: the request gets 400 (the error page)."""

from __future__ import annotations

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
