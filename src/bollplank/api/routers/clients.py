"""Clients (uppdragsgivare): the register for staff, their own organisation for a contact."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema

from bollplank.api.base import MAX_ID, ErrorOut, PagingQuery, acting, page
from bollplank.clients.selectors import clients_visible_to

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    name: str
    org_number: str
    peppol_scheme: str
    peppol_id: str
    sector: str
    city: str
    language: str


class ClientPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ClientOut]


@router.get("/", response={200: ClientPage, 401: ErrorOut, 422: ErrorOut})
def list_clients(request: HttpRequest, paging: PagingQuery) -> Any:
    """The clients the person may see, by name."""
    a = acting(request)
    return page(clients_visible_to(a.user, a.practice, a.roles).order_by("name", "pk"), paging)


@router.get("/{client_id}", response={200: ClientOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def get_client(request: HttpRequest, client_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    a = acting(request)
    return get_object_or_404(clients_visible_to(a.user, a.practice, a.roles), pk=client_id)
