"""Meetings (träffar): list with filters and paging, plan, move, cancel, attendance."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import AfterValidator, AwareDatetime, Field

from bollplank.api.base import MAX_ID, WRITE_ERRORS, ErrorOut, Paging, Strict, acting, checked, page
from bollplank.core.roles import Role
from bollplank.engagements.selectors import members_on
from bollplank.meetings import services
from bollplank.meetings.corrections import meeting_record_held
from bollplank.meetings.models import MAX_REASON
from bollplank.meetings.selectors import engagement_detail, meeting_detail, meetings_visible_to

router = Router(tags=["meetings"])

ID = Path(..., ge=1, le=MAX_ID)


def _plausible(moment: dt.datetime) -> dt.datetime:
    # Far-off years overflow when converted between zones; no meeting is planned there.
    if not 2000 <= moment.year <= 2100:
        raise ValueError(_("Give a time between the years 2000 and 2100."))
    return moment


# ISO 8601 with a UTC offset ("2026-12-01T09:00:00+01:00" or "…Z"): a time without a zone
# is ambiguous across daylight-saving changes and is refused.
Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]
Focus = Literal["", "process", "case", "mixed"]


class MeetingOut(Schema):
    id: int
    engagement_id: int
    engagement_title: str = Field(..., max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    focus: str
    held: bool = Field(
        description="Over and not cancelled: the same definition as the pages' “held”."
    )
    late_cancellation: bool
    cancelled_by: str = Field(
        description="Who caused the cancellation: participant, client_contact, supervisor or "
        "practice; empty when the meeting is not cancelled or was cancelled before causes were "
        "recorded."
    )
    cancel_reason: str | None = Field(description="Shown to the practice's staff only.")
    billable_cancellation: bool = Field(
        description="A late cancellation caused by the client side: the engagement's terms "
        "for late cancellations apply."
    )
    location: str | None = Field(description="Not shown to client contacts.")
    uid: str
    sequence: int


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


class MeetingFilters(Paging):
    starts_after: Moment | None = None
    starts_before: Moment | None = None
    engagement: int | None = Field(None, ge=1, le=MAX_ID)
    status: Literal["planned", "cancelled"] | None = None


class AttendanceRow(Strict):
    participant_id: int = Field(ge=1, le=MAX_ID)
    status: Literal["present", "absent", "late_cancelled"]


class MeetingIn(Strict):
    engagement_id: int = Field(ge=1, le=MAX_ID)
    starts_at: Moment
    minutes: int | None = Field(None, ge=15, le=480)
    focus: Focus = ""
    held: bool = Field(
        False,
        description="Record a meeting that has already been held (with `attendance` for everyone "
        "in the group that day). Without it, a time in the past is refused.",
    )
    attendance: list[AttendanceRow] = Field(default_factory=list, max_length=200)
    over_order_ok: bool = Field(
        False,
        description="Plan past the engagement's ordered meetings (refused with 400 otherwise).",
    )


class MoveIn(Strict):
    starts_at: Moment
    minutes: int = Field(ge=15, le=480)


class CancelIn(Strict):
    cancelled_by: Literal["participant", "client_contact", "supervisor", "practice"]
    reason: str = Field(min_length=1, max_length=MAX_REASON)


class AttendanceIn(Strict):
    rows: list[AttendanceRow] = Field(max_length=200)


class AttendanceOut(Schema):
    participant_id: int
    name: str
    status: str


def _out(meeting: Any, roles: frozenset[str]) -> MeetingOut:
    sees_place = bool(roles & {Role.ADMIN, Role.SUPERVISOR, Role.PARTICIPANT})
    staff = bool(roles & {Role.ADMIN, Role.SUPERVISOR})
    return MeetingOut(
        id=meeting.pk,
        engagement_id=meeting.engagement_id,
        engagement_title=meeting.engagement.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=meeting.status,
        focus=meeting.effective_focus,
        held=meeting.is_held,
        late_cancellation=meeting.late_cancellation,
        cancelled_by=meeting.cancelled_by,
        cancel_reason=meeting.cancel_reason if staff else None,
        billable_cancellation=meeting.is_billable_cancellation,
        location=(meeting.location or meeting.engagement.venue_address) if sees_place else None,
        uid=str(meeting.uid),
        sequence=meeting.sequence,
    )


def _local(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    local = timezone.localtime(moment)
    return local.date(), local.time().replace(tzinfo=None)


@router.get("/", response={200: MeetingPage, 401: ErrorOut, 422: ErrorOut})
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]) -> Any:
    """Meetings the person may see, by start; filter by time window, engagement and status."""
    a = acting(request)
    qs = meetings_visible_to(a.user, a.practice, a.roles).select_related("engagement")
    if filters.starts_after:
        qs = qs.filter(starts_at__gte=filters.starts_after)
    if filters.starts_before:
        qs = qs.filter(starts_at__lt=filters.starts_before)
    if filters.engagement:
        qs = qs.filter(engagement_id=filters.engagement)
    if filters.status:
        qs = qs.filter(status=filters.status)
    found = page(qs.order_by("starts_at", "pk"), filters)
    found["items"] = [_out(m, a.roles) for m in found["items"]]
    return found


@router.get(
    "/{meeting_id}", response={200: MeetingOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def get_meeting(request: HttpRequest, meeting_id: int = ID) -> Any:
    a = acting(request)
    qs = meetings_visible_to(a.user, a.practice, a.roles).select_related("engagement")
    return _out(get_object_or_404(qs, pk=meeting_id), a.roles)


@router.post("/", response={201: MeetingOut, **WRITE_ERRORS})
def create_meeting(request: HttpRequest, data: MeetingIn) -> Any:
    """Plan one meeting ahead in an engagement (refused in the past and if it double-books the
    supervisor), or with ``held`` record one already held, with everyone's attendance."""
    a = acting(request, write=True)
    engagement = engagement_detail(a.user, a.practice, a.roles, data.engagement_id)
    day, time = _local(data.starts_at)
    when: dict[str, Any] = {
        "day": day,
        "time": time,
        "minutes": data.minutes,
        "focus": data.focus,
    }
    if data.held:
        attendance: dict[int, str] = {row.participant_id: row.status for row in data.attendance}
        meeting = checked(
            lambda: meeting_record_held(
                actor=a.user, engagement=engagement, attendance=attendance, **when
            )
        )
    else:
        meeting = checked(
            lambda: services.meeting_create(
                actor=a.user, engagement=engagement, over_order_ok=data.over_order_ok, **when
            )
        )
    return Status(201, _out(meeting, a.roles))


@router.post("/{meeting_id}/move", response={200: MeetingOut, **WRITE_ERRORS})
def move_meeting(request: HttpRequest, data: MoveIn, meeting_id: int = ID) -> Any:
    """Move a meeting; calendars keep its UID and see a higher SEQUENCE."""
    a = acting(request, write=True)
    meeting = meeting_detail(a.user, a.practice, a.roles, meeting_id)
    day, time = _local(data.starts_at)
    moved = checked(
        lambda: services.meeting_reschedule(
            actor=a.user, meeting=meeting, day=day, time=time, minutes=data.minutes
        )
    )
    return _out(moved, a.roles)


@router.post("/{meeting_id}/cancel", response={200: MeetingOut, **WRITE_ERRORS})
def cancel_meeting(request: HttpRequest, data: CancelIn, meeting_id: int = ID) -> Any:
    """Cancel a meeting ahead, saying who caused it and why. Only a late cancellation caused
    by a participant or the client contact is charged under the engagement's terms."""
    a = acting(request, write=True)
    meeting = meeting_detail(a.user, a.practice, a.roles, meeting_id)
    cancelled = checked(
        lambda: services.meeting_cancel(
            actor=a.user, meeting=meeting, cancelled_by=data.cancelled_by, reason=data.reason
        )
    )
    return _out(cancelled, a.roles)


@router.get(
    "/{meeting_id}/attendance",
    response={200: list[AttendanceOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def get_attendance(request: HttpRequest, meeting_id: int = ID) -> Any:
    """Who was in the group that day and what is recorded (staff only)."""
    a = acting(request, staff=True)
    meeting = meeting_detail(a.user, a.practice, a.roles, meeting_id)
    return _attendance(meeting)


def _attendance(meeting: Any) -> list[AttendanceOut]:
    recorded = {row.participant_id: row.status for row in meeting.attendance.all()}
    day = timezone.localtime(meeting.starts_at).date()
    return [
        AttendanceOut(
            participant_id=m.participant_id,
            name=m.participant.name,
            status=recorded.get(m.participant_id, ""),
        )
        for m in members_on(meeting.engagement, day)
    ]


@router.put("/{meeting_id}/attendance", response={200: list[AttendanceOut], **WRITE_ERRORS})
def put_attendance(request: HttpRequest, data: AttendanceIn, meeting_id: int = ID) -> Any:
    a = acting(request, write=True)
    meeting = meeting_detail(a.user, a.practice, a.roles, meeting_id)
    statuses: dict[int, str] = {row.participant_id: row.status for row in data.rows}
    checked(lambda: services.attendance_record(actor=a.user, meeting=meeting, statuses=statuses))
    return _attendance(meeting_detail(a.user, a.practice, a.roles, meeting_id))
