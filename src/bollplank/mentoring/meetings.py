"""A mentoring pair's meetings: the mentor's bookable hours, free times, and booked meetings
with their calendar invitations.

Mentors and mentees have no account, so booking's rules (tied to a supervisor user) do not fit
them; the mentor's hours live in small mentoring tables and feed the same free-time sweep
(booking/freetime.py, with booking's FreeTimes wrapper). Invitations and feeds use the same ICS
writer as supervision meetings (meetings/ics.py): the UID never changes, SEQUENCE rises on every
move or cancellation, and a cancellation is sent as METHOD:CANCEL.

Who may do what: the mentor publishes hours and exceptions; the mentee books; either of the two
moves or cancels. The person is identified by their personal link (``SignUp``).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.booking import freetime
from bollplank.booking.refusals import refusal
from bollplank.booking.selectors import FreeTimes
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.timeutils import holidays_between
from bollplank.meetings.enums import MeetingStatus
from bollplank.mentoring.enums import PairStatus, Side
from bollplank.mentoring.models import (
    MentorException,
    MentorHours,
    Pair,
    PairMeeting,
    Programme,
    SignUp,
)
from bollplank.notifications.meetings import Recipient, send_invitation

# One kind of place: the pair agrees where (a room, a video link) when booking.
PLACE = "pair"
NOTICE = dt.timedelta(hours=12)
HORIZON = dt.timedelta(weeks=6)
BUFFER = dt.timedelta(minutes=15)
ENDED = "ended"


def rules_for(programme: Programme) -> freetime.Rules:
    """The booking rules of every pair: fixed, so that nobody has settings to learn."""
    return freetime.Rules(
        tz=programme.practice.timezone,
        notice=NOTICE,
        horizon=HORIZON,
        buffer=BUFFER,
        travel=BUFFER,
    )


# --- reads ----------------------------------------------------------------------------------


def hours_of(mentor: SignUp) -> list[MentorHours]:
    return list(MentorHours.objects.filter(mentor=mentor).order_by("weekday", "start"))


def exceptions_of(mentor: SignUp, since: dt.date) -> list[MentorException]:
    return list(
        MentorException.objects.filter(mentor=mentor, last_day__gte=since).order_by(
            "first_day", "start"
        )
    )


def meetings_of(person: SignUp) -> QuerySet[PairMeeting]:
    """Every meeting of the person's pairs (either side), cancelled ones included: a feed keeps
    them as CANCELLED so that calendars strike them out."""
    return (
        PairMeeting.objects.filter(Q(mentor=person) | Q(mentee=person))
        .select_related("pair__programme__practice", "pair__mentor", "pair__mentee")
        .order_by("starts_at", "pk")
    )


def upcoming_of(person: SignUp, now: dt.datetime) -> list[PairMeeting]:
    """The person's planned meetings that have not ended."""
    return list(meetings_of(person).filter(status=MeetingStatus.PLANNED, ends_at__gt=now))


def meeting_of(person: SignUp, pk: int) -> PairMeeting | None:
    return meetings_of(person).filter(pk=pk).first()


def _busy(
    person_ids: list[int], since: dt.datetime, until: dt.datetime, exclude: int | None
) -> list[freetime.Busy]:
    """Planned meetings of either person in any of their pairs (a mentor with three mentees
    is busy in all three pairs' meetings)."""
    qs = PairMeeting.objects.filter(
        Q(mentor_id__in=person_ids) | Q(mentee_id__in=person_ids),
        status=MeetingStatus.PLANNED,
        starts_at__lt=until,
        ends_at__gt=since,
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return [freetime.Busy(s, e, PLACE) for s, e in qs.values_list("starts_at", "ends_at")]


def free_times(pair: Pair, *, now: dt.datetime, exclude_meeting: int | None = None) -> FreeTimes:
    """The pair's free times: the mentor's weekly hours and exceptions, Swedish holidays
    closed unless opened, up to the programme's end, minus both people's meetings."""
    programme = pair.programme
    rules = rules_for(programme)
    first_day = (now - dt.timedelta(days=1)).date()
    last_day = min((now + rules.horizon + dt.timedelta(days=1)).date(), programme.ends_on)
    weekly = [
        freetime.WeeklyRule(h.weekday, h.start, h.end, PLACE)
        for h in MentorHours.objects.filter(mentor_id=pair.mentor_id)
    ]
    exceptions = [
        freetime.DayException(e.first_day, e.last_day, e.is_open, e.start, e.end, PLACE)
        for e in MentorException.objects.filter(
            mentor_id=pair.mentor_id, last_day__gte=first_day, first_day__lte=last_day
        )
    ]
    windows = (
        freetime.open_windows(
            first_day=first_day,
            last_day=last_day,
            weekly=weekly,
            exceptions=exceptions,
            holidays=holidays_between(first_day, last_day),
            tz_name=rules.tz,
            place=PLACE,
        )
        if last_day >= first_day
        else []
    )
    pad = rules.buffer
    busy = _busy(
        [pair.mentor_id, pair.mentee_id], now - pad, now + rules.horizon + pad, exclude_meeting
    )
    return FreeTimes(
        rules=rules,
        windows=windows,
        blocked=freetime.blocked_intervals(busy, place=PLACE, rules=rules, min_gap=dt.timedelta(0)),
        length=dt.timedelta(minutes=programme.meeting_minutes),
        now=now,
    )


def meeting_counts(programme: Programme, now: dt.datetime | None = None) -> dict[str, int]:
    """The coordinator's view of the pairs' meetings: held and planned, counts only."""
    now = now or clock.now()
    return PairMeeting.objects.filter(pair__programme=programme).aggregate(
        meetings_held=Count("pk", filter=Q(status=MeetingStatus.PLANNED, ends_at__lte=now)),
        meetings_planned=Count("pk", filter=Q(status=MeetingStatus.PLANNED, ends_at__gt=now)),
    )


# --- the mentor's hours ---------------------------------------------------------------------


def _mentor(person: SignUp) -> None:
    if person.side != Side.MENTOR:
        raise ValidationError(_("Only the mentor sets when the pair can meet."), code="not_mentor")


@transaction.atomic
def hours_add(*, mentor: SignUp, weekday: int, start: dt.time, end: dt.time) -> MentorHours:
    """Open a weekly time for the mentor's mentees to book."""
    _mentor(mentor)
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")}, code="ordered")
    hours = MentorHours(
        practice_id=mentor.practice_id, mentor=mentor, weekday=weekday, start=start, end=end
    )
    hours.full_clean()
    hours.save()
    audit(None, "mentoring.hours.added", hours, {"by": mentor.pk})
    return hours


@transaction.atomic
def hours_remove(*, mentor: SignUp, pk: int) -> None:
    hours = MentorHours.objects.filter(mentor=mentor, pk=pk).first()
    if hours is None:
        raise ValidationError(_("Those hours are already removed."), code="gone")
    audit(None, "mentoring.hours.removed", hours, {"by": mentor.pk})
    hours.delete()


@transaction.atomic
def exception_add(
    *,
    mentor: SignUp,
    is_open: bool,
    first_day: dt.date,
    last_day: dt.date | None,
    start: dt.time | None,
    end: dt.time | None,
) -> MentorException:
    """Close days or times (leave, travel), or open a holiday the mentor still meets on."""
    _mentor(mentor)
    last_day = last_day or first_day
    errors: dict[str, str] = {}
    if last_day < first_day:
        errors["last_day"] = _("The last day is before the first.")
    elif (last_day - first_day).days > 366:
        errors["last_day"] = _("An exception spans at most a year.")
    if (start is None) != (end is None):
        errors["end"] = _("Give both times, or neither for whole days.")
    elif start is not None and end is not None and end <= start:
        errors["end"] = _("The end must be after the start.")
    if errors:
        raise ValidationError(errors, code="bad_exception")
    exc = MentorException(
        practice_id=mentor.practice_id,
        mentor=mentor,
        is_open=is_open,
        first_day=first_day,
        last_day=last_day,
        start=start,
        end=end,
    )
    exc.full_clean()
    exc.save()
    audit(None, "mentoring.exception.added", exc, {"by": mentor.pk, "open": is_open})
    return exc


@transaction.atomic
def exception_remove(*, mentor: SignUp, pk: int) -> None:
    exc = MentorException.objects.filter(mentor=mentor, pk=pk).first()
    if exc is None:
        raise ValidationError(_("That exception is already removed."), code="gone")
    audit(None, "mentoring.exception.removed", exc, {"by": mentor.pk})
    exc.delete()


# --- booking, moving, cancelling ------------------------------------------------------------


def _refusal(reason: str) -> ValidationError:
    return refusal(
        reason,
        notice_hours=int(NOTICE.total_seconds() // 3600),
        horizon_days=HORIZON.days,
        outside_hours=_("That time is outside the hours the mentor can meet."),
    )


def _check_pair(pair: Pair, person: SignUp, now: dt.datetime) -> None:
    if person.pk not in (pair.mentor_id, pair.mentee_id):
        raise ValidationError(_("This is not your pair."), code="not_in_pair")
    if pair.status != PairStatus.ACTIVE:
        raise ValidationError(
            _("This mentoring has ended: no meetings can be booked or moved."), code=ENDED
        )
    local_today = timezone.localtime(now, ZoneInfo(pair.programme.practice.timezone)).date()
    if pair.programme.ends_on < local_today:
        raise ValidationError(
            _("The programme has ended: no meetings can be booked or moved."), code=ENDED
        )


def _lock(pair: Pair) -> Pair:
    """Lock both people's rows (in id order, so two bookings never deadlock) and read the
    pair afresh: of two bookings of the same time at once exactly one gets it, and a pair
    ended meanwhile is seen as ended."""
    list(
        SignUp.objects.select_for_update()
        .filter(pk__in=[pair.mentor_id, pair.mentee_id])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Pair.objects.select_related("programme__practice", "mentor", "mentee", "practice").get(
        pk=pair.pk
    )


@transaction.atomic
def meeting_book(
    *,
    person: SignUp,
    pair: Pair,
    starts_at: dt.datetime,
    location: str = "",
    now: dt.datetime | None = None,
) -> PairMeeting:
    """The mentee books a free time of the programme's meeting length."""
    now = now or clock.now()
    pair = _lock(pair)
    _check_pair(pair, person, now)
    if person.pk != pair.mentee_id:
        raise ValidationError(_("The mentee books the meetings."), code="not_mentee")
    reason = free_times(pair, now=now).why_not(starts_at)
    if reason:
        raise _refusal(reason)
    meeting = PairMeeting(
        practice_id=pair.practice_id,
        pair=pair,
        mentor_id=pair.mentor_id,
        mentee_id=pair.mentee_id,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=pair.programme.meeting_minutes),
        location=location.strip(),
    )
    meeting.full_clean()
    meeting.save()
    audit(None, "mentoring.meeting.booked", meeting, {"by": person.pk})
    notify(meeting, "planned")
    return meeting


def _check_planned(meeting: PairMeeting, now: dt.datetime) -> None:
    locked = PairMeeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != MeetingStatus.PLANNED:
        raise ValidationError(_("This meeting is already cancelled."), code="cancelled")
    if locked.starts_at <= now:
        raise ValidationError(
            _("This meeting has already started and can no longer be changed."), code=freetime.PAST
        )
    meeting.sequence = locked.sequence


@transaction.atomic
def meeting_move(
    *, person: SignUp, meeting: PairMeeting, starts_at: dt.datetime, now: dt.datetime | None = None
) -> PairMeeting:
    """Either of the two moves a planned meeting to another free time (same UID, the calendar
    SEQUENCE rises, both get the updated invitation)."""
    now = now or clock.now()
    pair = _lock(meeting.pair)
    _check_pair(pair, person, now)
    _check_planned(meeting, now)
    reason = free_times(pair, now=now, exclude_meeting=meeting.pk).why_not(starts_at)
    if reason:
        raise _refusal(reason)
    length = meeting.ends_at - meeting.starts_at
    meeting.starts_at = starts_at
    meeting.ends_at = starts_at + length
    meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    audit(None, "mentoring.meeting.moved", meeting, {"by": person.pk})
    notify(meeting, "moved")
    return meeting


@transaction.atomic
def meeting_cancel(
    *, person: SignUp, meeting: PairMeeting, now: dt.datetime | None = None
) -> PairMeeting:
    """Either of the two cancels a planned meeting; both get a METHOD:CANCEL with the same
    UID. Allowed after the pair ended too (a meeting left in the calendar)."""
    now = now or clock.now()
    if person.pk not in (meeting.mentor_id, meeting.mentee_id):
        raise ValidationError(_("This is not your pair."), code="not_in_pair")
    _check_planned(meeting, now)
    return _cancel(meeting, person, now)


def _cancel(meeting: PairMeeting, person: SignUp, now: dt.datetime) -> PairMeeting:
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.sequence += 1
    meeting.save()
    audit(None, "mentoring.meeting.cancelled", meeting, {"by": person.pk})
    notify(meeting, "cancelled")
    return meeting


def meetings_cancel_ahead(*, pair: Pair, person: SignUp, now: dt.datetime | None = None) -> int:
    """A pair that ends early keeps no meetings ahead: each is cancelled, and both people's
    calendars get the cancellation. Called inside the ending's transaction."""
    now = now or clock.now()
    ahead = (
        PairMeeting.objects.select_for_update()
        .filter(pair=pair, status=MeetingStatus.PLANNED, starts_at__gt=now)
        .order_by("starts_at")
    )
    count = 0
    for meeting in ahead:
        meeting.pair = pair
        _cancel(meeting, person, now)
        count += 1
    return count


# --- invitations ----------------------------------------------------------------------------


class _Invitation:
    """A pair meeting as notifications' meeting invitation reads it: the mentor is the
    organiser, the programme's name the title (what a calendar shows), no address."""

    def __init__(self, meeting: PairMeeting) -> None:
        self._meeting = meeting
        self.supervisor = meeting.pair.mentor
        self.engagement = SimpleNamespace(title=meeting.calendar_title, venue_address="")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._meeting, name)


def notify(meeting: PairMeeting, change: str) -> int:
    """Both people get the meeting invitation (REQUEST) or cancellation (CANCEL) through the
    same code as supervision meetings and first talks (notifications.meetings). In Swedish:
    a sign-up has no language, and the programme's pages are Swedish first. Without a link:
    a person's page opens with their personal link, which only their sign-up mail holds."""
    pair = meeting.pair
    invitation = _Invitation(meeting)
    return sum(
        send_invitation(
            invitation, Recipient(person.name, person.email, "sv"), change, "", key="pair-meeting"
        )
        for person in (pair.mentee, pair.mentor)
    )
