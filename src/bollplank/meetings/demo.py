"""The demo firm's meetings (called from demo/firm.py): series planned as a supervisor plans
them, a late and an early cancellation, and the focus and attendance of the meetings held."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from bollplank.engagements.enums import Focus
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.meetings.enums import AttendanceStatus, CancelledBy, MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.meetings.services import (
    ChosenMeeting,
    Proposal,
    attendance_record,
    meeting_cancel,
    meeting_set_focus,
    meetings_create_series,
    series_propose,
)


def demo_series(
    *,
    actor: Any,
    engagement: Engagement,
    first_day: dt.date,
    time: dt.time,
    interval_weeks: int,
    until: dt.date,
    focus: str,
    now: dt.datetime,
) -> list[ChosenMeeting]:
    """As a supervisor plans: the dates that fall on a holiday or collide with another
    engagement (travel buffer included) are left out. Returns the meetings planned."""
    proposals = series_propose(
        engagement=engagement,
        first_day=first_day,
        time=time,
        interval_weeks=interval_weeks,
        until=until,
        history=True,
    )
    chosen = [ChosenMeeting(p.day, p.time) for p in proposals if p.status == Proposal.OK]
    # The firm's past is recorded with its attendance (demo_attendance).
    meetings_create_series(
        actor=actor, engagement=engagement, chosen=chosen, focus=focus, now=now, history=True
    )
    return chosen


def demo_cancellations(*, late_in_past: Engagement, ahead: Engagement, now: dt.datetime) -> None:
    """One meeting in the past that was cancelled late, one in the future cancelled well ahead
    of time."""
    past = list(
        Meeting.objects.filter(
            engagement=late_in_past, ends_at__lte=now - dt.timedelta(weeks=6)
        ).order_by("-starts_at")[:1]
    )
    for meeting in past:
        meeting_cancel(
            actor=meeting.supervisor,
            meeting=meeting,
            cancelled_by=CancelledBy.CLIENT_CONTACT,
            reason="Personalmöte med kort varsel",
            now=meeting.starts_at - dt.timedelta(hours=20),
        )
    future = list(
        Meeting.objects.filter(
            engagement=ahead, starts_at__gte=now + dt.timedelta(weeks=3)
        ).order_by("starts_at")[:1]
    )
    for meeting in future:
        meeting_cancel(
            actor=meeting.supervisor,
            meeting=meeting,
            cancelled_by=CancelledBy.SUPERVISOR,
            reason="Handledaren på utbildning",
            now=now,
        )


def demo_attendance(
    *, engagements: Iterable[Engagement], rng: random.Random, now: dt.datetime
) -> None:
    """Every meeting held gets the attendance of the people in the group that day (mostly
    present), and in engagements of mixed focus a focus of its own."""
    statuses = [AttendanceStatus.PRESENT] * 17 + [AttendanceStatus.ABSENT] * 2
    statuses += [AttendanceStatus.LATE_CANCELLED]
    for engagement in engagements:
        memberships = list(GroupMembership.objects.filter(engagement=engagement))
        meetings = Meeting.objects.filter(
            engagement=engagement, ends_at__lte=now, status=MeetingStatus.PLANNED
        ).select_related("engagement", "practice")
        for meeting in meetings:
            if engagement.focus == Focus.MIXED:
                focus = rng.choice([Focus.PROCESS, Focus.CASE])
                meeting_set_focus(actor=engagement.supervisor, meeting=meeting, focus=focus)
            day = timezone.localtime(meeting.starts_at).date()
            present: dict[int, str] = {
                m.participant_id: rng.choice(statuses)
                for m in memberships
                if m.joined_on <= day and (m.left_on is None or m.left_on > day)
            }
            attendance_record(
                actor=engagement.supervisor, meeting=meeting, statuses=present, now=now
            )
