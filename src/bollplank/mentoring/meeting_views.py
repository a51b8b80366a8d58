"""A pair's meetings on each person's own pages (behind their personal link): the mentor's
hours, booking, moving and cancelling, one meeting's .ics and the person's calendar feed.
Thin: mentoring.meetings reads and writes. Kept apart from views.py (the agreement and
check-ins) so that the two grow independently."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_scopes import scope, scopes_disabled

from bollplank.booking.models import Weekday
from bollplank.booking.views import _slots_context  # the same week-by-week picker as booking
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.meetings.ics import calendar_bytes, ics_response
from bollplank.mentoring import meetings, selectors, services
from bollplank.mentoring.enums import PairStatus, Side
from bollplank.mentoring.meeting_forms import MentorExceptionForm, MentorHoursForm, PairSlotForm
from bollplank.mentoring.models import Pair, SignUp


@contextmanager
def _as_person(token: str) -> Iterator[SignUp]:
    """The person whose personal link this is, inside their practice's scope and zone; an
    unknown link is not found."""
    with scopes_disabled():
        found = services.signup_by_token(token)
    if found is None:
        raise Http404
    with scope(practice=found.practice), timezone.override(found.practice.timezone):
        yield found


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _active_pairs(person: SignUp) -> list[Pair]:
    if not person.programme.published_at:
        return []
    pairs = [p for p in selectors.pairs_of(person) if p.status == PairStatus.ACTIVE]
    # The free times read the pair's programme and practice: the ones already loaded.
    person.programme.practice = person.practice
    for pair in pairs:
        pair.programme = person.programme
    return pairs


def me_meetings(request: HttpRequest, token: str) -> HttpResponse:
    """The mentor sets when they can meet; the mentee books; both see, move and cancel."""
    with _as_person(token) as person:
        now = clock.now()
        here = reverse("mentoring_meetings", args=[token])
        action = request.POST.get("action") if request.method == "POST" else None
        hours_form = MentorHoursForm(request.POST if action == "hours" else None, prefix="hours")
        exception_form = MentorExceptionForm(
            request.POST if action == "exception" else None, prefix="exc"
        )
        slot_form = PairSlotForm(request.POST if action == "book" else None)
        pairs = _active_pairs(person)
        # A mentee has one pair in a programme: the one they book in.
        book_pair = pairs[0] if person.side == Side.MENTEE and pairs else None
        try:
            if action == "hours" and hours_form.is_valid():
                meetings.hours_add(mentor=person, **hours_form.cleaned_data)
                messages.success(request, _("The hours are added."))
                return redirect(here)
            if action == "hours_remove":
                meetings.hours_remove(mentor=person, pk=_int(request.POST.get("hours")))
                messages.success(request, _("The hours are removed."))
                return redirect(here)
            if action == "exception" and exception_form.is_valid():
                data = exception_form.cleaned_data
                meetings.exception_add(
                    mentor=person,
                    is_open=data["kind"] == "open",
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    start=data["start"],
                    end=data["end"],
                )
                messages.success(request, _("The exception is added."))
                return redirect(here)
            if action == "exception_remove":
                meetings.exception_remove(mentor=person, pk=_int(request.POST.get("exception")))
                messages.success(request, _("The exception is removed."))
                return redirect(here)
            if action == "book" and slot_form.is_valid():
                if book_pair is None:
                    raise ValidationError(
                        _("This mentoring has ended: no meetings can be booked or moved."),
                        code=meetings.ENDED,
                    )
                meeting = meetings.meeting_book(
                    person=person,
                    pair=book_pair,
                    starts_at=slot_form.cleaned_data["start"],
                    location=slot_form.cleaned_data["location"],
                )
                messages.success(
                    request,
                    _("The meeting is booked: %(when)s. You both get an invitation by e-mail.")
                    % {"when": _when(meeting.starts_at)},
                )
                return redirect(here)
            if action == "cancel":
                found = meetings.meeting_of(person, _int(request.POST.get("meeting")))
                if found is None:
                    raise Http404
                meetings.meeting_cancel(person=person, meeting=found)
                messages.success(request, _("The meeting is cancelled. You both get word of it."))
                return redirect(here)
            if action not in (None, "hours", "exception", "book"):
                raise Http404
        except ValidationError as exc:
            form: Any = {
                "hours": hours_form,
                "exception": exception_form,
                "book": slot_form,
            }.get(str(action))
            if form is None:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect(here)
            apply_errors(form, exc)
        context: dict[str, Any] = {
            "person": person,
            "programme": person.programme,
            "token": token,
            "is_mentor": person.side == Side.MENTOR,
            "hours": [(str(Weekday(h.weekday).label), h) for h in meetings.hours_of(person)]
            if person.side == Side.MENTOR
            else [],
            "exceptions": meetings.exceptions_of(person, clock.today())
            if person.side == Side.MENTOR
            else [],
            "hours_form": hours_form,
            "exception_form": exception_form,
            "upcoming": meetings.upcoming_of(person, now),
            "pairs": pairs,
            "book_pair": book_pair,
            "form": slot_form,
            "feed_url": request.build_absolute_uri(reverse("mentoring_feed", args=[token])),
        }
        if book_pair is not None:
            free = meetings.free_times(book_pair, now=now)
            context.update(_slots_context(free, request))
            context["no_hours"] = not free.windows
        failed = hours_form.errors or exception_form.errors or slot_form.errors
        return render(request, "mentoring/meetings.html", context, status=400 if failed else 200)


def me_meeting_move(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """Choose another free time for a planned meeting (either of the two)."""
    with _as_person(token) as person:
        now = clock.now()
        meeting = meetings.meeting_of(person, pk)
        if meeting is None or meeting.status != "planned" or meeting.ends_at <= now:
            raise Http404
        form = PairSlotForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                meetings.meeting_move(
                    person=person, meeting=meeting, starts_at=form.cleaned_data["start"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The meeting is moved to %(when)s. You both get the updated invitation.")
                    % {"when": _when(meeting.starts_at)},
                )
                return redirect("mentoring_meetings", token)
        free = meetings.free_times(meeting.pair, now=now, exclude_meeting=meeting.pk)
        context = {
            "person": person,
            "programme": person.programme,
            "token": token,
            "meeting": meeting,
            "form": form,
            **_slots_context(free, request),
        }
        return render(
            request, "mentoring/meeting_move.html", context, status=400 if form.errors else 200
        )


@require_GET
def me_meeting_ics(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """One pair meeting as a calendar file."""
    with _as_person(token) as person:
        meeting = meetings.meeting_of(person, pk)
        if meeting is None:
            raise Http404
        mentor = meeting.pair.mentor
        content = calendar_bytes(
            [meeting],
            name=person.programme.name,
            method="PUBLISH",
            organizer=(mentor.name, mentor.email),
        )
    return ics_response(content, f"mentortraff-{meeting.pk}.ics")


@require_GET
def me_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's pair meetings as a subscribable calendar. The personal link is the key,
    as for their page."""
    with _as_person(token) as person:
        content = calendar_bytes(
            list(meetings.meetings_of(person)),
            name=f"Bollplank – {person.programme.name}",
        )
    return ics_response(content, "mentorskap.ics", inline=True)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise Http404 from exc
