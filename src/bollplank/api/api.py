"""The JSON API, version 1: ``/api/v1/``, spec at ``/api/v1/openapi.json``, docs at
``/api/v1/docs`` (Swagger UI served from django-ninja's own static files, no CDN)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from bollplank.api.base import Refused, TokenAuth, in_practice
from bollplank.api.routers import billing, clients, courses, engagements, meetings

api = NinjaAPI(
    title="Bollplank API",
    version="1",
    description=(
        "Clients, engagements, groups, meetings, attendance, invoices, courses and "
        "registrations of one practice, as the token's person may see them. Authenticate "
        "with `Authorization: Bearer <token>` (create tokens under API tokens in Bollplank). "
        "Times are ISO 8601 with a UTC offset. "
        "Private notes, journals and questions sent in are not part of the API."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
)
api.add_decorator(in_practice, mode="view")
api.add_router("/clients", clients.router)
api.add_router("/engagements", engagements.router)
api.add_router("/meetings", meetings.router)
api.add_router("/invoices", billing.router)
api.add_router("/courses", courses.router)


@api.exception_handler(Refused)
def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    body: dict[str, Any] = {"detail": exc.detail}
    return api.create_response(request, body, status=400)
