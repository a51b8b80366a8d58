"""Engagements (uppdrag) and their groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema

from bollplank.api.base import MAX_ID, ErrorOut, PagingQuery, acting, page
from bollplank.engagements.selectors import engagement_detail, engagements_visible_to

router = Router(tags=["engagements"])


class EngagementOut(Schema):
    id: int
    title: str
    client_id: int
    supervisor_id: int
    form: str
    focus: str
    status: str
    meeting_minutes: int
    meetings_ordered: int | None
    start_date: dt.date
    end_date: dt.date


class EngagementPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EngagementOut]


class MemberOut(Schema):
    participant_id: int
    name: str
    joined_on: dt.date
    left_on: dt.date | None


@router.get("/", response={200: EngagementPage, 401: ErrorOut, 422: ErrorOut})
def list_engagements(request: HttpRequest, paging: PagingQuery) -> Any:
    """The engagements the person may see."""
    a = acting(request)
    qs = engagements_visible_to(a.user, a.practice, a.roles).order_by("start_date", "pk")
    return page(qs, paging)


ID = Path(..., ge=1, le=MAX_ID)


@router.get(
    "/{engagement_id}", response={200: EngagementOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def get_engagement(request: HttpRequest, engagement_id: int = ID) -> Any:
    a = acting(request)
    return get_object_or_404(engagements_visible_to(a.user, a.practice, a.roles), pk=engagement_id)


@router.get(
    "/{engagement_id}/participants",
    response={200: list[MemberOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def list_participants(request: HttpRequest, engagement_id: int = ID) -> Any:
    """Who is and was in the group (staff only: a client sees counts, never names)."""
    a = acting(request, staff=True)
    engagement = engagement_detail(a.user, a.practice, a.roles, engagement_id)
    return [
        MemberOut(
            participant_id=m.participant_id,
            name=m.participant.name,
            joined_on=m.joined_on,
            left_on=m.left_on,
        )
        for m in engagement.memberships.all()
    ]
