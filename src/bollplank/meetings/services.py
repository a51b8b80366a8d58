"""Every write to meetings: planning series, single meetings, moves and attendance; the
cancellations (cancellations.py) and the calendar feeds (feeds.py) are named here too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.timeutils import LocalTimeError, after, holiday_name, make_local
from bollplank.engagements.enums import Status
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.meetings.cancellations import meeting_cancel as meeting_cancel  # re-exported
from bollplank.meetings.commitments import commitment_clash
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.feeds import feed_create as feed_create  # re-exported
from bollplank.meetings.feeds import feed_revoke_all as feed_revoke_all  # re-exported
from bollplank.meetings.models import Attendance, Meeting
from bollplank.meetings.proposals import Proposal as Proposal  # re-exported
from bollplank.meetings.proposals import ProposedMeeting as ProposedMeeting  # re-exported
from bollplank.meetings.signals import meeting_changed, series_planned

MAX_SERIES = 200

HELD_IS_HISTORY = _lazy(
    "The meeting has been held: it cannot be moved or cancelled. If it is recorded wrongly, "
    "correct it with a reason (Correct the held meeting)."
)
MAX_SERIES_DAYS = 3 * 366


def conflicts_for(
    *,
    practice: Practice,
    supervisor: Any,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_pk: int | None = None,
) -> QuerySet[Meeting]:
    """The supervisor's planned meetings closer than the travel buffer to [starts_at, ends_at),
    in every practice: one person can supervise for several firms, and is one person."""
    buffer = dt.timedelta(minutes=practice.travel_buffer_minutes)
    starts_at, ends_at = starts_at.astimezone(dt.UTC), ends_at.astimezone(dt.UTC)
    qs = (
        Meeting.objects.with_scopes_disabled()
        .filter(
            supervisor=supervisor,
            status=MeetingStatus.PLANNED,
            starts_at__lt=ends_at + buffer,
            ends_at__gt=starts_at - buffer,
        )
        .select_related("engagement")
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("starts_at")


def first_conflict(
    *,
    practice: Practice,
    supervisor: Any,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_pk: int | None = None,
) -> Any:
    """The first of the supervisor's meetings that clashes (conflicts_for), or else another
    commitment (a first talk a visitor booked after an inquiry: no engagement, so not a
    Meeting; meetings/commitments.py)."""
    found = conflicts_for(
        practice=practice,
        supervisor=supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_pk=exclude_pk,
    ).first()
    if found is not None:
        return found
    buffer = dt.timedelta(minutes=practice.travel_buffer_minutes)
    return commitment_clash(supervisor=supervisor, starts_at=starts_at, ends_at=ends_at, pad=buffer)


def _conflict_error(conflict: Any, practice: Practice) -> ValidationError:
    """Says what clashes; ``conflict`` is a Meeting or a booking.FirstTalk (whose
    ``engagement.title`` is "First talk", never the visitor's name)."""
    local = timezone.localtime(conflict.starts_at)
    if conflict.practice_id != practice.pk:
        # Another practice's meeting: say that the time is taken, never what takes it.
        return ValidationError(
            _("The supervisor has another commitment at %(when)s. Choose another time."),
            code="double_booking",
            params={"when": local.strftime("%Y-%m-%d %H:%M")},
        )
    return ValidationError(
        _(
            "The supervisor already has “%(title)s” at %(when)s (with %(buffer)d minutes of "
            "travel buffer). Choose another time."
        ),
        code="double_booking",
        params={
            "title": conflict.engagement.title,
            "when": local.strftime("%Y-%m-%d %H:%M"),
            "buffer": practice.travel_buffer_minutes,
        },
    )


# --- planning a series ----------------------------------------------------------------------


def check_ahead(starts_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """A meeting is planned or moved ahead only: one in the past would count as held without
    anyone having said so (pages, the API and invoices read "over and not cancelled" as held)."""
    if starts_at < (now or clock.now()):
        raise ValidationError(
            {
                "day": _(
                    "That time has passed: meetings are planned ahead. A meeting that has "
                    "already been held is recorded as held, with its attendance."
                )
            },
            code="in_past",
        )


OVER_ORDER = "over_order"


def check_within_order(engagement: Engagement, adding: int, *, over_order_ok: bool) -> None:
    """Planning past the ordered meetings needs the planner's explicit confirmation: the
    client ordered a number, and more is a new agreement. Held and planned count; cancelled
    meetings do not."""
    if over_order_ok:
        return
    used = Meeting.objects.filter(engagement=engagement, status=MeetingStatus.PLANNED).count()
    if used + adding > engagement.meetings_ordered:
        raise ValidationError(
            _(
                "This plans %(n)d meetings of %(ordered)d ordered. Confirm that you plan "
                "past the order, or plan fewer."
            )
            % {"n": used + adding, "ordered": engagement.meetings_ordered},
            code=OVER_ORDER,
        )


def check_plannable(engagement: Engagement, day: dt.date) -> None:
    """Meetings belong inside an active engagement's period."""
    if engagement.status != Status.ACTIVE:
        raise ValidationError(
            _("The engagement has ended: no more meetings can be planned in it."), code="ended"
        )
    if not engagement.start_date <= day <= engagement.end_date:
        raise ValidationError(
            _(
                "%(day)s is outside the engagement's period (%(start)s – %(end)s). "
                "Extend the period first if the meeting belongs to it."
            )
            % {
                "day": day.isoformat(),
                "start": engagement.start_date.isoformat(),
                "end": engagement.end_date.isoformat(),
            },
            code="outside_period",
        )


def series_dates(
    *, first_day: dt.date, interval_weeks: int, until: dt.date | None, count: int | None
) -> list[dt.date]:
    """Dates every ``interval_weeks`` from ``first_day``: up to ``until`` or ``count`` long."""
    if interval_weeks < 1 or interval_weeks > 52:
        raise ValidationError(
            _("The interval must be between 1 and 52 weeks."), code="bad_interval"
        )
    if until is None and count is None:
        raise ValidationError(_("Give an end date or a number of meetings."), code="no_series_end")
    if until is not None and until < first_day:
        raise ValidationError(
            _("The series ends (%(until)s) before it starts (%(first)s).")
            % {"until": until.isoformat(), "first": first_day.isoformat()},
            code="series_ends_before_start",
        )
    if count is not None and not 1 <= count <= MAX_SERIES:
        raise ValidationError(
            _("A series has between 1 and %(max)d meetings.") % {"max": MAX_SERIES},
            code="bad_count",
        )
    last = until if until is not None else first_day + dt.timedelta(days=MAX_SERIES_DAYS)
    if (last - first_day).days > MAX_SERIES_DAYS:
        raise ValidationError(
            _("A series can be planned at most three years ahead."), code="series_too_long"
        )
    days: list[dt.date] = []
    day = first_day
    while day <= last and len(days) < MAX_SERIES * 2:
        days.append(day)
        day += dt.timedelta(weeks=interval_weeks)
    return days


def series_propose(
    *,
    engagement: Engagement,
    first_day: dt.date,
    time: dt.time,
    interval_weeks: int,
    until: dt.date | None = None,
    count: int | None = None,
    minutes: int | None = None,
    skip_holidays: bool = True,
    history: bool = False,
) -> list[ProposedMeeting]:
    """Propose a series in local wall-clock time; mark holidays, double bookings and times that
    do not exist. ``count`` counts the meetings that can be held (skipped dates do not count)."""
    length = dt.timedelta(minutes=minutes or engagement.meeting_minutes)
    proposals: list[ProposedMeeting] = []
    usable = 0
    for day in series_dates(
        first_day=first_day, interval_weeks=interval_weeks, until=until, count=count
    ):
        if count is not None and usable >= count:
            break
        proposal = propose_one(
            engagement, day, time, length, skip_holidays=skip_holidays, history=history
        )
        proposals.append(proposal)
        if day > engagement.end_date:
            break  # one row says why the series stops; the rest would say the same
        if proposal.status in {Proposal.OK, Proposal.CONFLICT}:
            usable += 1
    return proposals


def propose_one(
    engagement: Engagement,
    day: dt.date,
    time: dt.time,
    length: dt.timedelta,
    *,
    skip_holidays: bool = True,
    history: bool = False,
) -> ProposedMeeting:
    """What stands in the way of a meeting on ``day`` at ``time``: a holiday, a wall-clock time
    that does not exist, a time that has passed (unless ``history``: meetings_create_series),
    or the supervisor's other meetings."""
    practice = engagement.practice
    try:
        check_plannable(engagement, day)
    except ValidationError as exc:
        return ProposedMeeting(day, time, Proposal.OUTSIDE, exc.messages[0])
    holiday = holiday_name(day) if skip_holidays else None
    if holiday:
        return ProposedMeeting(day, time, Proposal.HOLIDAY, holiday)
    try:
        starts_at = make_local(day, time, practice.timezone)
    except LocalTimeError as exc:
        return ProposedMeeting(day, time, Proposal.BAD_TIME, exc.messages[0])
    if not history and starts_at < clock.now():
        return ProposedMeeting(
            day, time, Proposal.PASSED, _("That time has passed: meetings are planned ahead.")
        )
    ends_at = starts_at.astimezone(dt.UTC) + length
    found = list(
        conflicts_for(
            practice=practice,
            supervisor=engagement.supervisor,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    )
    status = Proposal.CONFLICT if found else Proposal.OK
    return ProposedMeeting(day, time, status, "", starts_at, ends_at, found)


@dataclass(frozen=True)
class ChosenMeeting:
    day: dt.date
    time: dt.time


@transaction.atomic
def meetings_create_series(
    *,
    actor: Any,
    engagement: Engagement,
    chosen: list[ChosenMeeting],
    minutes: int | None = None,
    focus: str = "",
    now: dt.datetime | None = None,
    history: bool = False,
    over_order_ok: bool = False,
) -> list[Meeting]:
    """Create the meetings the user chose. All or nothing: any date that is not possible
    raises with every problem listed, and nothing is saved. ``now`` decides which of them
    are still ahead (and get invitations and reminders); dates before it are refused unless
    ``history`` says the caller records them as held with their attendance (the demo firm).
    Past the ordered number only with ``over_order_ok``."""
    if not chosen:
        raise ValidationError(_("Choose at least one date."), code="nothing_chosen")
    # Serialise planning per supervisor so that two browsers cannot book the same hour.
    _lock_supervisor(engagement)
    check_within_order(engagement, len(chosen), over_order_ok=over_order_ok)
    errors: list[str] = []
    meetings: list[Meeting] = []
    length = dt.timedelta(minutes=minutes or engagement.meeting_minutes)
    planned: list[tuple[dt.datetime, dt.datetime]] = []
    buffer = dt.timedelta(minutes=engagement.practice.travel_buffer_minutes)
    for item in sorted(chosen, key=lambda c: (c.day, c.time)):
        try:
            check_plannable(engagement, item.day)
            starts_at = make_local(item.day, item.time, engagement.practice.timezone)
        except ValidationError as exc:
            errors.append(exc.messages[0])
            continue
        starts_at = starts_at.astimezone(dt.UTC)
        ends_at = starts_at + length
        if not history and starts_at < (now or clock.now()):
            errors.append(
                _("%(day)s: that time has passed; meetings are planned ahead.")
                % {"day": item.day.isoformat()}
            )
            continue
        conflict = first_conflict(
            practice=engagement.practice,
            supervisor=engagement.supervisor,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        if conflict is not None:
            message = _conflict_error(conflict, engagement.practice).messages[0]
            errors.append(f"{item.day.isoformat()}: {message}")
            continue
        if any(s < ends_at + buffer and e > starts_at - buffer for s, e in planned):
            errors.append(
                _("%(day)s: two of the chosen meetings are too close to each other.")
                % {"day": item.day.isoformat()}
            )
            continue
        planned.append((starts_at, ends_at))
        meetings.append(new_meeting(engagement, starts_at, ends_at, focus))
    if errors:
        raise ValidationError(errors, code="series_invalid")
    Meeting.objects.bulk_create(meetings)
    audit(actor, "meetings.series.created", engagement, {"meetings": len(meetings)})
    if len(meetings) == 1:
        meeting_changed.send(
            sender=Meeting, meeting=meetings[0], change="planned", actor=actor, now=now
        )
    else:
        series_planned.send(sender=Meeting, meetings=meetings, actor=actor, now=now)
    return meetings


def new_meeting(
    engagement: Engagement, starts_at: dt.datetime, ends_at: dt.datetime, focus: str
) -> Meeting:
    meeting = Meeting(
        practice=engagement.practice,
        engagement=engagement,
        supervisor=engagement.supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
        focus=focus,
        location=engagement.location_text,
    )
    # Foreign keys come from the engagement: skip the per-row existence queries.
    meeting.full_clean(exclude=["uid", "practice", "engagement", "supervisor"])
    return meeting


def meetings_follow_engagement(*, engagement: Engagement, changed: list[str]) -> int:
    """Carry a changed supervisor, place or title to the engagement's planned meetings ahead,
    raising SEQUENCE so that calendars update. A new supervisor must be free at every one of
    them: otherwise nothing changes and the dates in the way are listed."""
    relevant = {"supervisor", "venue", "venue_address", "video_url", "title"} & set(changed)
    if not relevant:
        return 0
    ahead = Meeting.objects.filter(
        engagement=engagement, status=MeetingStatus.PLANNED, starts_at__gte=clock.now()
    )
    if "supervisor" in relevant:
        _lock_supervisor(engagement)
        errors = []
        for meeting in ahead:
            conflict = first_conflict(
                practice=engagement.practice,
                supervisor=engagement.supervisor,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
            )
            if conflict is not None:
                message = _conflict_error(conflict, engagement.practice).messages[0]
                errors.append(f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}: {message}")
        if errors:
            raise ValidationError({"supervisor": errors}, code="double_booking")
    return ahead.update(
        supervisor=engagement.supervisor,
        location=engagement.location_text,
        sequence=F("sequence") + 1,
        updated_at=clock.now(),
    )


def on_engagement_updated(
    sender: Any, engagement: Engagement, changed: list[str], **kwargs: Any
) -> None:
    """engagements' ``engagement_updated``: the meetings ahead follow the new terms."""
    meetings_follow_engagement(engagement=engagement, changed=changed)


def _fresh(meeting: Meeting) -> Meeting:
    """The meeting as it is now, locked until the transaction ends: a move and a cancellation
    made at the same moment must not undo each other."""
    return (
        Meeting.objects.select_for_update()
        .select_related("engagement", "practice")
        .get(pk=meeting.pk)
    )


def _lock_supervisor(engagement: Engagement) -> None:
    # A row lock on the supervisor's user row: on PostgreSQL it queues concurrent planners;
    # SQLite's IMMEDIATE transactions already serialise writers.
    from django.contrib.auth import get_user_model

    get_user_model().objects.select_for_update().filter(pk=engagement.supervisor_id).first()


def lock_supervisor(engagement: Engagement) -> None:
    """Queue every writer that books this engagement's supervisor until the transaction ends
    (self-booking decides under it whether a time is still free)."""
    _lock_supervisor(engagement)


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    engagement: Engagement,
    day: dt.date,
    time: dt.time,
    minutes: int | None = None,
    focus: str = "",
    now: dt.datetime | None = None,
    over_order_ok: bool = False,
) -> Meeting:
    """Plan one meeting ahead; refused in the past (a meeting held is recorded as held, with
    its attendance: meetings.corrections), if it double-books the supervisor, and past the
    ordered number unless ``over_order_ok``."""
    check_plannable(engagement, day)
    _lock_supervisor(engagement)
    check_within_order(engagement, 1, over_order_ok=over_order_ok)
    starts_at = make_local(day, time, engagement.practice.timezone).astimezone(dt.UTC)
    check_ahead(starts_at, now)
    ends_at = after(starts_at, minutes or engagement.meeting_minutes)
    conflict = first_conflict(
        practice=engagement.practice,
        supervisor=engagement.supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if conflict is not None:
        raise _conflict_error(conflict, engagement.practice)
    meeting = new_meeting(engagement, starts_at, ends_at, focus)
    meeting.save()
    audit(actor, "meetings.meeting.created", meeting)
    meeting_changed.send(sender=Meeting, meeting=meeting, change="planned", actor=actor)
    return meeting


@transaction.atomic
def meeting_reschedule(
    *,
    actor: Any,
    meeting: Meeting,
    day: dt.date,
    time: dt.time,
    minutes: int,
    now: dt.datetime | None = None,
) -> Meeting:
    """Move a meeting. The calendar UID stays and SEQUENCE rises so calendars update it."""
    _lock_supervisor(meeting.engagement)
    meeting = _fresh(meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("A cancelled meeting cannot be moved."), code="cancelled")
    if meeting.is_held:
        raise ValidationError(HELD_IS_HISTORY, code="held")
    check_plannable(meeting.engagement, day)
    starts_at = make_local(day, time, meeting.practice.timezone).astimezone(dt.UTC)
    check_ahead(starts_at, now)
    ends_at = after(starts_at, minutes)
    conflict = first_conflict(
        practice=meeting.practice,
        supervisor=meeting.supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_pk=meeting.pk,
    )
    if conflict is not None:
        raise _conflict_error(conflict, meeting.practice)
    old = timezone.localtime(meeting.starts_at).isoformat()
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.sequence += 1
    meeting.full_clean(exclude=["uid"])
    meeting.save()
    audit(actor, "meetings.meeting.moved", meeting, {"from": old, "to": starts_at.isoformat()})
    meeting_changed.send(sender=Meeting, meeting=meeting, change="moved", actor=actor)
    return meeting


@transaction.atomic
def meeting_set_focus(*, actor: Any, meeting: Meeting, focus: str) -> Meeting:
    """Record whether this meeting was about process or a case (it changes meeting by meeting)."""
    meeting = _fresh(meeting)
    meeting.focus = focus
    meeting.full_clean(exclude=["uid"])
    meeting.save(update_fields=["focus", "updated_at"])
    audit(actor, "meetings.meeting.focus_set", meeting, {"focus": focus})
    return meeting


@transaction.atomic
def attendance_record(
    *,
    actor: Any,
    meeting: Meeting,
    statuses: dict[int, str],
    now: dt.datetime | None = None,
) -> list[Attendance]:
    """Record attendance for the participants given (participant id → status).

    Only people who were in the group on the meeting's day count; present and absent can
    only be said of a meeting that has begun, a late cancellation also beforehand."""
    meeting = _fresh(meeting)
    if meeting.is_cancelled:
        raise ValidationError(
            _("Attendance cannot be recorded for a cancelled meeting."), code="cancelled"
        )
    day = timezone.localtime(meeting.starts_at).date()
    allowed = set(
        GroupMembership.objects.filter(engagement=meeting.engagement, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .values_list("participant_id", flat=True)
    )
    started = meeting.starts_at <= (now or clock.now())
    valid = set(AttendanceStatus.values)
    rows: list[Attendance] = []
    for participant_id, status in statuses.items():
        if participant_id not in allowed:
            raise ValidationError(_("That person is not in this group."), code="not_member")
        if status not in valid:
            raise ValidationError(_("Unknown attendance status."), code="bad_status")
        if not started and status != AttendanceStatus.LATE_CANCELLED:
            raise ValidationError(
                _("The meeting has not begun: only a late cancellation can be recorded yet."),
                code="not_started",
            )
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting,
            participant_id=participant_id,
            defaults={"status": status, "practice": meeting.practice},
        )
        rows.append(row)
    audit(actor, "meetings.attendance.recorded", meeting, {"count": len(rows)})
    return rows
