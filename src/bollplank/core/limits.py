"""How large a request body may be: refused with 413 before a byte of it is read.

Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) is checked only while a form is parsed, and
not for the files of a multipart body, so a large upload to any page that parses a form (the
anonymous login page among them) would be read and spooled to disk first. This middleware
goes first and answers from the ``Content-Length`` header alone. Every page allows
``settings.BODY_MAX_BYTES``; the few pages that take a file say how large a file they take
with ``accepts_upload``, and allow that much more. A body without a length (chunked) is not
read by Django at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve

# Room for the form's other fields and the multipart framing beside the largest file.
UPLOAD_SLACK_BYTES = 1024 * 1024

View = Callable[..., HttpResponse]


def upload_body_max(file_max_bytes: int) -> int:
    """The largest body a page taking files of at most ``file_max_bytes`` accepts."""
    return max(settings.BODY_MAX_BYTES, file_max_bytes + UPLOAD_SLACK_BYTES)


def accepts_upload(file_max_bytes: int) -> Callable[[View], View]:
    """Mark a view that takes a file of at most ``file_max_bytes``: its body may be that much
    larger than other pages' (the form still refuses a file over its own limit, with its
    message, and the page keeps what was typed)."""

    def mark(view: View) -> View:
        view.body_max_bytes = file_max_bytes  # type: ignore[attr-defined]
        return view

    return mark


def body_max_bytes(request: HttpRequest) -> int:
    """The largest body this request's page accepts."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return int(settings.BODY_MAX_BYTES)
    file_max = getattr(view, "body_max_bytes", None)
    return int(settings.BODY_MAX_BYTES) if file_max is None else upload_body_max(file_max)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot read


def too_large(request: HttpRequest, allowed: int) -> HttpResponse:
    """413, in the form the asker reads: JSON for the API, a page for a person."""
    mb = allowed / (1024 * 1024)
    if request.path_info.startswith("/api/"):
        detail = (
            f"Förfrågan är för stor: högst {mb:g} MB. "
            f"/ The request is too large: at most {mb:g} MB."
        )
        response: HttpResponse = JsonResponse({"detail": detail}, status=413)
    else:
        page = render_to_string("413.html", {"max_mb": f"{mb:g}".replace(".", ",")})
        response = HttpResponse(page, status=413)
    # No "Connection: close" here: WSGI forbids an application hop-by-hop headers (runserver
    # fails on it); gunicorn's sync workers close every connection after its answer anyway.
    return response


class BodyLimitMiddleware:
    """Refuse a body larger than its page accepts before anything reads it (first in
    MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        length = _content_length(request)
        # The usual case costs one comparison: URLs are resolved only for a large body.
        if length > settings.BODY_MAX_BYTES:
            allowed = body_max_bytes(request)
            if length > allowed:
                return too_large(request, allowed)
        return self.get_response(request)
