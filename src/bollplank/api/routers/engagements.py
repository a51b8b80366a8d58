"""Engagements (uppdrag) and their groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from pydantic import Field

from bollplank.api.base import (
    MAX_ID,
    WRITE_ERRORS,
    ErrorOut,
    PagingQuery,
    Strict,
    acting,
    checked,
    page,
)
from bollplank.core import clock
from bollplank.engagements import services
from bollplank.engagements.models import GroupMembership
from bollplank.engagements.selectors import engagements_visible_to
from bollplank.meetings.selectors import engagement_detail

router = Router(tags=["engagements"])


class EngagementOut(Schema):
    id: int
    title: str = Field(..., max_length=200)
    client_id: int
    supervisor_id: int
    form: str
    focus: str
    status: str
    meeting_minutes: int
    meetings_ordered: int | None
    start_date: dt.date
    end_date: dt.date
    attendance_visibility: str = Field(
        description="What the client contact sees of attendance, as agreed: nothing, "
        "term_counts or per_meeting. The API gives a client contact no attendance per meeting."
    )


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


class JoinIn(Strict):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., min_length=3, max_length=254, description="The person's e-mail.")
    joined_on: dt.date | None = Field(None, description="Default: today.")


class LeaveIn(Strict):
    left_on: dt.date | None = Field(None, description="Default: today.")


def _member(m: GroupMembership) -> MemberOut:
    return MemberOut(
        participant_id=m.participant_id,
        name=m.participant.name,
        joined_on=m.joined_on,
        left_on=m.left_on,
    )


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
    return [_member(m) for m in engagement.memberships.all()]


@router.post("/{engagement_id}/participants", response={201: MemberOut, **WRITE_ERRORS})
def add_participant(request: HttpRequest, data: JoinIn, engagement_id: int = ID) -> Any:
    """A person joins the group from a date (the practice's participant with this e-mail, made
    when new); refused when already in it, or when individual supervision has its one."""
    a = acting(request, write=True)
    engagement = engagement_detail(a.user, a.practice, a.roles, engagement_id)
    membership = checked(
        lambda: services.participant_join(
            actor=a.user,
            engagement=engagement,
            name=data.name,
            email=data.email,
            joined_on=data.joined_on or clock.today(),
        )
    )
    return Status(201, _member(membership))


@router.post(
    "/{engagement_id}/participants/{participant_id}/leave",
    response={200: MemberOut, **WRITE_ERRORS},
)
def remove_participant(
    request: HttpRequest, data: LeaveIn, engagement_id: int = ID, participant_id: int = ID
) -> Any:
    """A person leaves the group on a date; their history stays. Refused when a group would
    fall below its minimum size."""
    a = acting(request, write=True)
    engagement = engagement_detail(a.user, a.practice, a.roles, engagement_id)
    memberships = [m for m in engagement.memberships.all() if m.participant_id == participant_id]
    if not memberships:
        raise Http404
    # The current membership; with none, the latest (the service then says it has ended).
    membership = next(
        (m for m in memberships if m.left_on is None), max(memberships, key=lambda m: m.joined_on)
    )
    left = checked(
        lambda: services.participant_leave(
            actor=a.user, membership=membership, left_on=data.left_on or clock.today()
        )
    )
    return _member(left)
