"""Every write of the booking app. Meetings themselves are created, moved and cancelled by
the meetings services (conflict checks, late-cancellation flag, calendar SEQUENCE): booking
only decides whether a time may be booked, under the supervisor's lock."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from bollplank.accounts.models import hash_token
from bollplank.booking import firsttalk, freetime, outside
from bollplank.booking.models import (
    AvailabilityException,
    BookingLink,
    BookingSettings,
    BusyInterval,
    FirstTalk,
    OutsideCalendar,
    WeeklyHours,
)
from bollplank.booking.refusals import booking_refusal
from bollplank.booking.selectors import free_times, link_find, settings_of, used_count
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.periodic import ensure_pending
from bollplank.core.services import model_update
from bollplank.core.tasking import task_at
from bollplank.engagements.models import Engagement
from bollplank.meetings import services as meetings
from bollplank.meetings.enums import CancelledBy
from bollplank.meetings.models import Meeting
from bollplank.notifications.meetings import Recipient, send_invitation

LINK_DAYS = 30


# --- rules ----------------------------------------------------------------------------------


@transaction.atomic
def settings_save(*, actor: Any, practice: Practice, values: dict[str, Any]) -> BookingSettings:
    """Save the supervisor's notice, horizon, buffer, travel time and first-talk terms."""
    config = settings_of(practice, actor)
    model_update(instance=config, fields=values, data=values)
    config.full_clean()
    config.save()
    audit(actor, "booking.settings.saved", config, {"fields": sorted(values)})
    return config


@transaction.atomic
def hours_add(
    *, actor: Any, practice: Practice, weekday: int, start: dt.time, end: dt.time, place: str
) -> WeeklyHours:
    """Open a weekly time for booking."""
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")}, code="ordered")
    hours = WeeklyHours(
        practice=practice, supervisor=actor, weekday=weekday, start=start, end=end, place=place
    )
    hours.full_clean()
    hours.save()
    audit(actor, "booking.hours.added", hours)
    return hours


@transaction.atomic
def hours_remove(*, actor: Any, hours: WeeklyHours) -> None:
    audit(actor, "booking.hours.removed", hours)
    hours.delete()


@transaction.atomic
def exception_add(
    *,
    actor: Any,
    practice: Practice,
    is_open: bool,
    first_day: dt.date,
    last_day: dt.date | None,
    start: dt.time | None,
    end: dt.time | None,
    place: str,
) -> AvailabilityException:
    """Close days or times (leave, a course), or open extra times (a holiday included)."""
    last_day = last_day or first_day
    errors: dict[str, str] = {}
    if last_day < first_day:
        errors["last_day"] = _("The last day is before the first.")
    if (start is None) != (end is None):
        errors["end"] = _("Give both times, or neither for whole days.")
    elif start is not None and end is not None and end <= start:
        errors["end"] = _("The end must be after the start.")
    if is_open and start is None and not errors:
        pass  # opens the weekly hours on holidays in the range
    if is_open and start is not None and not place:
        errors["place"] = _("Choose where the extra time is.")
    if (last_day - first_day).days > 366:
        errors["last_day"] = _("An exception spans at most a year.")
    if errors:
        raise ValidationError(errors, code="bad_exception")
    exc = AvailabilityException(
        practice=practice,
        supervisor=actor,
        is_open=is_open,
        first_day=first_day,
        last_day=last_day,
        start=start,
        end=end,
        place=place if is_open else "",
    )
    exc.full_clean()
    exc.save()
    audit(actor, "booking.exception.added", exc, {"open": is_open})
    return exc


@transaction.atomic
def exception_remove(*, actor: Any, exception: AvailabilityException) -> None:
    audit(actor, "booking.exception.removed", exception)
    exception.delete()


# --- outside calendars ----------------------------------------------------------------------


def error_text(code: str, detail: str = "") -> str:
    """The message for a stored calendar error code, in the active language."""
    texts = {
        "unreachable": _("The calendar could not be fetched."),
        "too_large": _("The calendar is larger than 10 MB and was not read."),
        "too_many_events": _("The calendar has too many events to be read."),
        "too_many_occurrences": _("The calendar has too many busy times in the coming year."),
        "malformed": _("The address did not give a calendar file that can be read."),
        "bad_rule": _("The calendar's repeating events could not be read."),
        "private_host": _("That address points into a private network and cannot be fetched."),
        "scheme": _("The address is not an http(s) or webcal address."),
    }
    text = texts.get(code, _("The calendar could not be read."))
    return f"{text} ({detail})" if detail and code == "unreachable" else text


def _store(calendar: OutsideCalendar, busy: list[freetime.Interval], now: dt.datetime) -> None:
    BusyInterval.objects.filter(calendar=calendar).delete()
    BusyInterval.objects.bulk_create(
        (
            BusyInterval(
                practice_id=calendar.practice_id,
                calendar=calendar,
                supervisor_id=calendar.supervisor_id,
                starts_at=start,
                ends_at=end,
            )
            for start, end in busy
        ),
        batch_size=2000,
    )
    calendar.busy_count = len(busy)
    calendar.last_success_at = calendar.last_attempt_at = now
    calendar.last_error = calendar.last_error_detail = ""
    calendar.save()


@transaction.atomic
def calendar_upload(
    *, actor: Any, practice: Practice, name: str, data: bytes, now: dt.datetime | None = None
) -> OutsideCalendar:
    """Add a calendar from an uploaded .ics file. A file that cannot be read adds nothing."""
    now = now or clock.now()
    busy = outside.busy_from_ics(data, now=now, tz_name=practice.timezone)
    calendar = OutsideCalendar(practice=practice, supervisor=actor, name=name)
    calendar.full_clean()
    calendar.save()
    _store(calendar, busy, now)
    audit(actor, "booking.calendar.added", calendar, {"busy": len(busy), "kind": "file"})
    return calendar


@transaction.atomic
def calendar_subscribe(*, actor: Any, practice: Practice, name: str, url: str) -> OutsideCalendar:
    """Add a calendar by its subscription address; the task worker fetches it now and then
    every hour or so by itself (booking/tasks.py)."""
    try:
        url = outside.check_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}, code=exc.code) from None
    calendar = OutsideCalendar(practice=practice, supervisor=actor, name=name, url=url)
    calendar.full_clean()
    calendar.save()
    audit(actor, "booking.calendar.added", calendar, {"kind": "url"})
    calendar_refresh_later(calendar)
    return calendar


# The worker's tasks (booking/tasks.py), enqueued by reference (core/tasking.py).
REFRESH_ONE = "bollplank.booking.tasks.refresh_outside_calendar"
REFRESH_DUE = "bollplank.booking.tasks.refresh_due_calendars"
# How often the refresh chain runs.
CHAIN_INTERVAL = dt.timedelta(minutes=15)


def refresh_interval() -> dt.timedelta:
    """How old a calendar's last fetch may be before it is fetched again (default an hour)."""
    return dt.timedelta(minutes=getattr(settings, "BOOKING_CALENDAR_REFRESH_MINUTES", 60))


def ensure_refresh_chain(*, delay: dt.timedelta = CHAIN_INTERVAL) -> bool:
    """Make sure a run of ``refresh_due_calendars`` is waiting (database task backend only)."""
    return ensure_pending(task_at(REFRESH_DUE), delay=delay)


def calendar_refresh_later(calendar: OutsideCalendar) -> None:
    pk = calendar.pk
    transaction.on_commit(lambda: task_at(REFRESH_ONE).enqueue(calendar_id=pk))
    # And again and again from now on: the worker's own refresh chain.
    transaction.on_commit(ensure_refresh_chain)


def calendar_refresh(*, calendar: OutsideCalendar, now: dt.datetime | None = None) -> bool:
    """Fetch a subscribed calendar again. On failure the last known busy times stay (booking
    goes on with them) and the error is kept with the time of the last success."""
    now = now or clock.now()
    try:
        data = outside.fetch(calendar.url)
        busy = outside.busy_from_ics(data, now=now, tz_name=calendar.practice.timezone)
    except ValidationError as exc:
        calendar.last_attempt_at = now
        calendar.last_error = exc.code or "unreachable"
        calendar.last_error_detail = str(exc.messages[0])[:300] if exc.code == "unreachable" else ""
        calendar.save(update_fields=["last_attempt_at", "last_error", "last_error_detail"])
        return False
    with transaction.atomic():
        _store(calendar, busy, now)
    return True


@transaction.atomic
def calendar_remove(*, actor: Any, calendar: OutsideCalendar) -> None:
    audit(actor, "booking.calendar.removed", calendar)
    calendar.delete()


def refresh_due(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Queue a fetch of every subscribed calendar not tried for ``older_than`` (the task
    worker's own refresh chain, booking/tasks.py)."""
    now = now or clock.now()
    stale = Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=now - older_than)
    with scopes_disabled():
        ids = list(
            OutsideCalendar.objects.exclude(url="").filter(stale).values_list("pk", flat=True)
        )
    for pk in ids:
        task_at(REFRESH_ONE).enqueue(calendar_id=pk)
    return len(ids)


def refresh_all(*, now: dt.datetime | None = None) -> int:
    """Queue a refresh of every subscribed calendar (run by the management command)."""
    with scopes_disabled():
        ids = list(OutsideCalendar.objects.exclude(url="").values_list("pk", flat=True))
    for pk in ids:
        task_at(REFRESH_ONE).enqueue(calendar_id=pk)
    return len(ids)


# --- booking --------------------------------------------------------------------------------


def _refusal(reason: str, engagement: Engagement) -> ValidationError:
    return booking_refusal(reason, engagement.practice, engagement.supervisor_id)


def _check_quota(engagement: Engagement) -> None:
    if used_count(engagement) >= engagement.meetings_ordered:
        raise ValidationError(
            _(
                "All %(count)d meetings agreed in this engagement are booked. Ask your "
                "supervisor if you need more."
            )
            % {"count": engagement.meetings_ordered},
            code="quota",
        )


def _local(engagement: Engagement, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ZoneInfo(engagement.practice.timezone))


@transaction.atomic
def booking_book(
    *, actor: Any, engagement: Engagement, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Meeting:
    """Book one meeting of the engagement's length at ``starts_at``. Under the supervisor's
    row lock, so of two people booking the same time at once exactly one gets it."""
    now = now or clock.now()
    meetings.lock_supervisor(engagement)
    _check_quota(engagement)
    reason = free_times(engagement, now=now).why_not(starts_at)
    if reason:
        raise _refusal(reason, engagement)
    local = _local(engagement, starts_at)
    meeting = meetings.meeting_create(
        actor=actor,
        engagement=engagement,
        day=local.date(),
        time=local.time(),
        minutes=engagement.meeting_minutes,
        now=now,
    )
    audit(actor, "booking.meeting.booked", meeting)
    tell_supervisor(meeting, "planned")
    return meeting


def _check_movable(meeting: Meeting, now: dt.datetime) -> None:
    hours = meeting.practice.late_cancellation_hours
    if meeting.starts_at - now < dt.timedelta(hours=hours):
        raise ValidationError(
            _(
                "Less than %(hours)d hours remain: the meeting can no longer be moved, only "
                "cancelled (which counts as a late cancellation)."
            )
            % {"hours": hours},
            code="too_late_to_move",
        )


@transaction.atomic
def booking_move(
    *, actor: Any, meeting: Meeting, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Meeting:
    """Move a booked meeting to another free time, outside the practice's notice period."""
    now = now or clock.now()
    engagement = meeting.engagement
    meetings.lock_supervisor(engagement)
    _check_movable(meeting, now)
    reason = free_times(engagement, now=now, exclude_meeting=meeting.pk).why_not(starts_at)
    if reason:
        raise _refusal(reason, engagement)
    local = _local(engagement, starts_at)
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    moved = meetings.meeting_reschedule(
        actor=actor, meeting=meeting, day=local.date(), time=local.time(), minutes=minutes, now=now
    )
    audit(actor, "booking.meeting.moved", moved)
    tell_supervisor(moved, "moved")
    return moved


@transaction.atomic
def booking_cancel(
    *, actor: Any, meeting: Meeting, reason: str, now: dt.datetime | None = None
) -> Meeting:
    """The participant cancels their booked meeting, saying why; inside the notice period it
    is a late cancellation by the client side (meetings.cancellations)."""
    cancelled = meetings.meeting_cancel(
        actor=actor,
        meeting=meeting,
        cancelled_by=CancelledBy.PARTICIPANT,
        reason=reason,
        now=now,
    )
    tell_supervisor(cancelled, "cancelled")
    return cancelled


def tell_supervisor(meeting: Meeting, change: str) -> bool:
    """The supervisor's copy of a self-booked meeting's invitation (REQUEST, moved with the
    same UID and a higher SEQUENCE, or CANCEL). The participants get theirs from the meetings
    signal; planning by the supervisor themselves mails them nothing."""
    supervisor = meeting.supervisor
    if not supervisor.email or meeting.ends_at <= clock.now():
        return False
    language = getattr(supervisor, "language", "") or "sv"
    link = settings.SITE_URL + reverse("meeting_detail", args=[meeting.practice.slug, meeting.pk])
    return send_invitation(
        meeting, Recipient(supervisor.name, supervisor.email, language), change, link
    )


# --- one-time booking links -----------------------------------------------------------------


@transaction.atomic
def link_create(
    *, actor: Any, engagement: Engagement, label: str, now: dt.datetime | None = None
) -> tuple[BookingLink, str]:
    """A one-time link to book one meeting in ``engagement`` (e.g. a first talk after an
    inquiry). Returns the token once; only its hash is stored."""
    now = now or clock.now()
    token = secrets.token_urlsafe(24)
    link = BookingLink(
        practice=engagement.practice,
        engagement=engagement,
        created_by=actor,
        label=label,
        token_hash=hash_token(token),
        expires_at=now + dt.timedelta(days=LINK_DAYS),
    )
    link.full_clean()
    link.save()
    audit(actor, "booking.link.created", link, {"engagement": engagement.pk})
    return link, token


def link_problem(link: BookingLink, now: dt.datetime) -> str | None:
    """Why the link can no longer book, or None."""
    if link.used_at is not None:
        return _("This booking link has already been used. Ask for a new one if you need it.")
    if link.expires_at <= now:
        return _("This booking link has expired. Ask for a new one.")
    return None


@transaction.atomic
def link_book(
    *, token: str, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Meeting | FirstTalk:
    """Book through a one-time link: a meeting in its engagement, or a first talk. The link
    row is locked, so a link used twice at once books once."""
    now = now or clock.now()
    found = link_find(token)
    if found is None:
        raise ValidationError(_("This booking link does not exist."), code="no_link")
    with scope(practice=found.practice):
        link = BookingLink.objects.select_for_update().get(pk=found.pk)
        problem = link_problem(link, now)
        if problem:
            raise ValidationError(problem, code="link_used")
        if found.engagement is None:
            link.practice = found.practice
            return firsttalk.book(link=link, token=token, starts_at=starts_at, now=now)
        meeting = booking_book(
            actor=None, engagement=found.engagement, starts_at=starts_at, now=now
        )
        link.used_at = now
        link.meeting = meeting
        link.save(update_fields=["used_at", "meeting"])
        audit(None, "booking.link.used", link, {"meeting": meeting.pk})
    return meeting
