"""The client contact's pages: the engagements at a glance, and each engagement's whole
schedule a page at a time. A client sees the agreement, the schedule, attendance as agreed and
invoices, never what is said in the room (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.billing.selectors import invoices_for_list
from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.core.rows import times_label, url_for_pk, weekday_abbreviations
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.engagements.enums import Status as EngagementStatus
from bollplank.engagements.selectors import engagement_for_client
from bollplank.meetings.enums import CLIENT_SIDE, MeetingStatus
from bollplank.meetings.selectors import (
    SCHEDULE_PAGE_SIZE,
    ScheduleRow,
    attendance_totals,
    engagements_for_client_page,
    next_meetings_by_engagement,
    schedule_of,
)

# The start page shows each running engagement's next few meetings; the whole schedule is on
# the engagement's own page. Every meeting of every running engagement on one page made it
# hundreds of rows long for a large client, slow to make and to read on a phone.
NEXT_SHOWN = 3

ONLY_CONTACT = frozenset({Role.CLIENT_CONTACT})

# A schedule row's cells: day, times, status, present, absent (the last two empty unless the
# client sees attendance per meeting and the meeting was held).
Cells = tuple[str, str, str, Any, Any]


def schedule_cells(rows: Iterable[ScheduleRow], now: dt.datetime, *, each: bool) -> list[Cells]:
    """The cells of schedule rows as text, made once here rather than with ``|date`` filters,
    ``{% translate %}`` and tests of the time in the template for every cell: what
    ``|date:"D Y-m-d"`` and ``|date:"H:i"`` give in the current time zone and language. The
    counts are given only with ``each`` (attendance per meeting agreed) and for held meetings."""
    days = weekday_abbreviations()
    cancelled, late, held, planned = _("cancelled"), _("late"), _("held"), _("planned")
    by_you, by_supervisor = _("by you"), _("by the supervisor or the practice")
    cells: list[Cells] = []
    for row in rows:
        start = timezone.localtime(row.starts_at)
        ended = False
        if row.status == MeetingStatus.CANCELLED:
            status = cancelled
            if row.late_cancellation:
                status = f"{cancelled} ({late})"
                if row.cancelled_by:
                    side = by_you if row.cancelled_by in CLIENT_SIDE else by_supervisor
                    status = f"{cancelled} ({late}, {side})"
        else:
            ended = row.ends_at <= now
            status = held if ended else planned
        shown = each and ended
        cells.append(
            (
                f"{days[start.weekday()]} {start:%Y-%m-%d}",
                times_label(row.starts_at, row.ends_at),
                status,
                row.present if shown else "",
                row.absent if shown else "",
            )
        )
    return cells


def _ended_rows(engagements: Iterable[Any]) -> list[tuple[str, str, str, str, int]]:
    """The ended engagements' table (years of them for a long-standing client) as text made
    once here: title, supervisor, period, meetings held of those ordered, late cancellations."""
    held_of = _("%(held)s of %(ordered)s held")
    return [
        (
            e.title,
            e.supervisor.name,
            f"{e.start_date.isoformat()} – {e.end_date.isoformat()}",
            held_of % {"held": e.held_count, "ordered": e.meetings_ordered},
            e.late_cancelled_count,
        )
        for e in engagements
    ]


@practice_view(Role.CLIENT_CONTACT)
def client_home(request: PracticeRequest) -> HttpResponse:
    """What a client sees: per running engagement the agreement, the quota, attendance as
    agreed and the next meetings; the ended ones as counts; the invoices. No content."""
    user, practice, _roles = who(request)
    now = clock.now()
    engagements: list[Any] = engagements_for_client_page(user, practice, ONLY_CONTACT)
    active = [e for e in engagements if e.status == EngagementStatus.ACTIVE]
    upcoming = next_meetings_by_engagement(practice, [e.pk for e in active], now, NEXT_SHOWN)
    # The term's totals where the client sees attendance at all (per meeting, the totals of
    # the rows on the schedule page), counted in the database, not from every row.
    counted = [e.pk for e in active if e.client_sees_attendance]
    totals = attendance_totals(practice, counted, now) if counted else {}
    schedule_url = url_for_pk("client_schedule", practice.slug)
    for e in engagements:
        # Cancelled before causes were recorded.
        known = e.late_by_client_count + e.late_by_staff_count
        e.late_unknown_count = e.late_cancelled_count - known
    for e in active:
        e.next_rows = schedule_cells(upcoming[e.pk], now, each=False)
        e.schedule_url = schedule_url(e.pk)
        e.term_attendance = None
        if e.client_sees_attendance:
            present, absent = totals.get(e.pk, (0, 0))
            e.term_attendance = (e.held_count, present, present + absent)
    # The client's issued invoices and credit notes (DOMAIN: the client sees invoices).
    invoices = list(invoices_for_list(user, practice, ONLY_CONTACT)[:100])
    return render(
        request,
        "home/client_home.html",
        {
            "invoices": invoices,
            "engagements": active,
            "ended": _ended_rows(e for e in engagements if e.status != EngagementStatus.ACTIVE),
            "next_shown": NEXT_SHOWN,
        },
    )


@practice_view(Role.CLIENT_CONTACT)
def client_schedule(request: PracticeRequest, pk: int) -> HttpResponse:
    """One engagement's whole schedule for its client, 50 meetings a page: the date, time and
    status of each, with attendance counts only where they were agreed per meeting."""
    user, practice, _roles = who(request)
    engagement = engagement_for_client(user, practice, ONLY_CONTACT, pk)
    each = engagement.client_sees_each_meeting
    page = Paginator(schedule_of(engagement, with_attendance=each), SCHEDULE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = schedule_cells(
        (ScheduleRow(*columns) for columns in page.object_list), clock.now(), each=each
    )
    return render(
        request,
        "home/client_schedule.html",
        {"engagement": engagement, "page": page, "rows": rows, "each": each},
    )
