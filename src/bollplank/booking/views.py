"""Self-booking pages: the supervisor's hours, exceptions and outside calendars; booking,
moving and cancelling for participants; one-time booking links for visitors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from bollplank.booking import firsttalk, selectors, services
from bollplank.booking.forms import (
    ExceptionForm,
    HoursForm,
    LinkForm,
    SettingsForm,
    SlotForm,
    SubscribeForm,
    UploadForm,
)
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.limits import accepts_upload
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.meetings.cancellations import cancellation_consequence
from bollplank.meetings.enums import CancelledBy
from bollplank.meetings.ics import calendar_bytes, ics_response


def _week_param(request: HttpRequest, last: int) -> int:
    try:
        week = int(request.GET.get("week", "0"))
    except ValueError:
        return 0
    return min(max(week, 0), last)


def _slot_days(
    slots: list[dt.datetime], week: int, now: dt.datetime
) -> list[tuple[dt.date, list[dt.datetime]]]:
    """The free times of one week (from today), grouped by local date (the practice's zone is
    the current one inside practice pages and link pages)."""
    first = timezone.localtime(now).date() + dt.timedelta(days=7 * week)
    last = first + dt.timedelta(days=7)
    days: dict[dt.date, list[dt.datetime]] = {}
    for slot in slots:
        day = timezone.localtime(slot).date()
        if first <= day < last:
            days.setdefault(day, []).append(slot)
    return sorted(days.items())


def _slots_context(free: selectors.FreeTimes, request: HttpRequest) -> dict[str, Any]:
    slots = free.slots()
    weeks = max(free.rules.horizon.days // 7, 1)
    week = _week_param(request, weeks - 1)
    return {
        "days": _slot_days(slots, week, free.now),
        "week": week,
        "prev_week": week - 1 if week > 0 else None,
        "next_week": week + 1 if week + 1 < weeks else None,
        "slot_count": len(slots),
        "minutes": int(free.length.total_seconds() // 60),
    }


# --- the supervisor's rules -----------------------------------------------------------------


@practice_view(Role.SUPERVISOR)
def availability(request: PracticeRequest) -> HttpResponse:
    """Weekly hours per place, exceptions, notice, horizon, buffers and travel time."""
    user, practice, _roles = who(request)
    action = request.POST.get("action") if request.method == "POST" else None
    config = selectors.settings_of(practice, user)
    settings_form = SettingsForm(request.POST if action == "settings" else None, instance=config)
    hours_form = HoursForm(request.POST if action == "hours" else None, prefix="hours")
    exception_form = ExceptionForm(request.POST if action == "exception" else None, prefix="exc")
    if action == "settings" and settings_form.is_valid():
        services.settings_save(
            actor=user,
            practice=practice,
            values={k: settings_form.cleaned_data[k] for k in SettingsForm.Meta.fields},
        )
        messages.success(request, _("The booking rules are saved."))
        return redirect("booking_availability", practice.slug)
    if action == "hours" and hours_form.is_valid():
        try:
            services.hours_add(actor=user, practice=practice, **hours_form.cleaned_data)
        except ValidationError as exc:
            apply_errors(hours_form, exc)
        else:
            messages.success(request, _("The hours are added."))
            return redirect("booking_availability", practice.slug)
    if action == "exception" and exception_form.is_valid():
        data = exception_form.cleaned_data
        try:
            services.exception_add(
                actor=user,
                practice=practice,
                is_open=data["kind"] == "open",
                first_day=data["first_day"],
                last_day=data["last_day"],
                start=data["start"],
                end=data["end"],
                place=data["place"],
            )
        except ValidationError as exc:
            apply_errors(exception_form, exc)
        else:
            messages.success(request, _("The exception is added."))
            return redirect("booking_availability", practice.slug)
    context = {
        "settings_form": settings_form,
        "hours_form": hours_form,
        "exception_form": exception_form,
        "hours": selectors.hours_of(practice, user),
        "exceptions": selectors.exceptions_of(practice, user, clock.today()),
    }
    return render(
        request,
        "booking/availability.html",
        context,
        status=400 if action else 200,
    )


@require_POST
@practice_view(Role.SUPERVISOR)
def hours_remove(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    hours = get_object_or_404(selectors.hours_of(practice, user), pk=pk)
    services.hours_remove(actor=user, hours=hours)
    messages.success(request, _("The hours are removed."))
    return redirect("booking_availability", practice.slug)


@require_POST
@practice_view(Role.SUPERVISOR)
def exception_remove(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    found = get_object_or_404(selectors.exceptions_of(practice, user, dt.date(2000, 1, 1)), pk=pk)
    services.exception_remove(actor=user, exception=found)
    messages.success(request, _("The exception is removed."))
    return redirect("booking_availability", practice.slug)


# --- outside calendars ----------------------------------------------------------------------


@accepts_upload(services.outside.MAX_BYTES)
@practice_view(Role.SUPERVISOR)
def calendars(request: PracticeRequest) -> HttpResponse:
    """Outside calendars whose busy times block booking: by file or by subscription."""
    user, practice, _roles = who(request)
    action = request.POST.get("action") if request.method == "POST" else None
    upload_form = UploadForm(
        request.POST if action == "upload" else None,
        request.FILES if action == "upload" else None,
        prefix="upload",
    )
    subscribe_form = SubscribeForm(request.POST if action == "subscribe" else None, prefix="sub")
    if action == "upload" and upload_form.is_valid():
        upload = upload_form.cleaned_data["file"]
        try:
            if upload.size > services.outside.MAX_BYTES:
                raise ValidationError(
                    _("The calendar is larger than 10 MB and was not read."), code="too_large"
                )
            calendar = services.calendar_upload(
                actor=user,
                practice=practice,
                name=upload_form.cleaned_data["name"],
                data=upload.read(),
            )
        except ValidationError as exc:
            upload_form.add_error("file", exc.messages[0])
        else:
            messages.success(
                request,
                _("The calendar is added with %(count)d busy times.")
                % {"count": calendar.busy_count},
            )
            return redirect("booking_calendars", practice.slug)
    if action == "subscribe" and subscribe_form.is_valid():
        try:
            services.calendar_subscribe(
                actor=user, practice=practice, **subscribe_form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(subscribe_form, exc)
        else:
            messages.success(request, _("The calendar is added; it is fetched in the background."))
            return redirect("booking_calendars", practice.slug)
    rows = [
        (c, services.error_text(c.last_error, c.last_error_detail) if c.last_error else "")
        for c in selectors.calendars_of(practice, user)
    ]
    if any(c.url for c, _error in rows):
        # Restarts the worker's refresh chain should it have been lost (booking/tasks.py).
        services.ensure_refresh_chain()
    return render(
        request,
        "booking/calendars.html",
        {"rows": rows, "upload_form": upload_form, "subscribe_form": subscribe_form},
        status=400 if action else 200,
    )


@require_POST
@practice_view(Role.SUPERVISOR)
def calendar_refresh(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    calendar = get_object_or_404(selectors.calendars_of(practice, user).exclude(url=""), pk=pk)
    services.calendar_refresh_later(calendar)
    messages.success(request, _("The calendar is fetched again in the background."))
    return redirect("booking_calendars", practice.slug)


@require_POST
@practice_view(Role.SUPERVISOR)
def calendar_remove(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    calendar = get_object_or_404(selectors.calendars_of(practice, user), pk=pk)
    services.calendar_remove(actor=user, calendar=calendar)
    messages.success(request, _("The calendar is removed; its busy times no longer block."))
    return redirect("booking_calendars", practice.slug)


# --- booking links --------------------------------------------------------------------------


@practice_view(Role.SUPERVISOR)
def links(request: PracticeRequest) -> HttpResponse:
    """One-time booking links, e.g. for a first talk after an inquiry."""
    user, practice, _roles = who(request)
    engagements = list(selectors.supervisor_engagements(user, practice))
    form = LinkForm(request.POST or None, engagements=engagements)
    new_url = None
    if request.method == "POST" and form.is_valid():
        engagement = next(e for e in engagements if e.pk == form.cleaned_data["engagement"])
        _link, token = services.link_create(
            actor=user, engagement=engagement, label=form.cleaned_data["label"]
        )
        new_url = request.build_absolute_uri(reverse("booking_link", args=[token]))
        form = LinkForm(engagements=engagements)
    return render(
        request,
        "booking/links.html",
        {"form": form, "links": selectors.links_of(practice, user), "new_url": new_url},
        status=400 if form.errors else 200,
    )


# --- participants ---------------------------------------------------------------------------


@practice_view(Role.PARTICIPANT)
def booking_home(request: PracticeRequest) -> HttpResponse:
    """The person's individual engagements, what is left to book, and their booked meetings."""
    user, practice, _roles = who(request)
    now = clock.now()
    return render(
        request,
        "booking/home.html",
        {
            "engagements": selectors.bookable_engagements(user, practice),
            "meetings": selectors.own_booked_meetings(user, practice, now),
            "notice_hours": practice.late_cancellation_hours,
        },
    )


@practice_view(Role.PARTICIPANT)
def book(request: PracticeRequest, pk: int) -> HttpResponse:
    """Free times of the engagement's supervisor, a week at a time; choose one and book it."""
    user, practice, _roles = who(request)
    engagement: Any = selectors.bookable_engagement(user, practice, pk)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.booking_book(
                actor=user, engagement=engagement, starts_at=form.cleaned_data["start"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The meeting is booked: %(when)s.")
                % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("booking_home", practice.slug)
    free = selectors.free_times(engagement, now=clock.now())
    context = {
        "engagement": engagement,
        "form": form,
        "left": engagement.meetings_ordered - engagement.used_count,
        **_slots_context(free, request),
    }
    return render(request, "booking/book.html", context, status=400 if form.errors else 200)


@practice_view(Role.PARTICIPANT)
def move(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    now = clock.now()
    meeting: Any = selectors.own_booked_meeting(user, practice, pk, now)
    form = SlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_move(actor=user, meeting=meeting, starts_at=form.cleaned_data["start"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is moved. Calendars that subscribe update."))
            return redirect("booking_home", practice.slug)
    free = selectors.free_times(meeting.engagement, now=now, exclude_meeting=meeting.pk)
    context = {"meeting": meeting, "form": form, **_slots_context(free, request)}
    return render(request, "booking/move.html", context, status=400 if form.errors else 200)


@require_POST
@practice_view(Role.PARTICIPANT)
def cancel(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    meeting = selectors.own_booked_meeting(user, practice, pk, clock.now())
    reason = request.POST.get("reason", "").strip()
    if reason and request.POST.get("confirm") != "yes":
        # First say what it costs; nothing changes until the participant confirms.
        consequence = cancellation_consequence(meeting, CancelledBy.PARTICIPANT, clock.now())
        context = {"meeting": meeting, "reason": reason, "consequence": consequence}
        return render(request, "booking/cancel_confirm.html", context)
    try:
        meeting = services.booking_cancel(actor=user, meeting=meeting, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if meeting.late_cancellation:
            messages.warning(
                request,
                _("The meeting is cancelled — late, inside the notice period of %(h)d hours.")
                % {"h": practice.late_cancellation_hours},
            )
        else:
            messages.success(request, _("The meeting is cancelled."))
    return redirect("booking_home", practice.slug)


# --- visitors with a one-time link ----------------------------------------------------------


def booking_link(request: HttpRequest, token: str) -> HttpResponse:
    """Book one meeting without a login, through a one-time link. A first talk booked so can
    be moved or cancelled on the same page."""
    link = selectors.link_find(token)
    if link is None:
        raise Http404
    practice = link.practice
    now = clock.now()
    action = request.POST.get("action", "book") if request.method == "POST" else None
    with timezone.override(practice.timezone), scope(practice=practice):
        form = SlotForm(request.POST if action in {"book", "move"} else None)
        status = 200
        if action in {"book", "move"} and form.is_valid():
            start = form.cleaned_data["start"]
            try:
                if action == "move":
                    firsttalk.move(token=token, starts_at=start, now=now)
                    messages.success(request, _("The first talk is moved."))
                else:
                    services.link_book(token=token, starts_at=start, now=now)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("booking_link", token)
        elif action == "cancel":
            try:
                cancelled = firsttalk.cancel(token=token, now=now)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The first talk is cancelled."))
                if cancelled.late_cancellation:
                    messages.warning(
                        request,
                        _("It was cancelled less than %(h)d hours before it started.")
                        % {"h": practice.late_cancellation_hours},
                    )
            return redirect("booking_link", token)
        elif action is not None and action not in {"book", "move"}:
            raise Http404
        if form.errors:
            status = 400
        link = selectors.link_find(token) or link
        problem = services.link_problem(link, now)
        talk = link.first_talk
        context: dict[str, Any] = {
            "link": link,
            "practice_name": practice.name,
            "form": form,
            "token": token,
            "problem": problem,
            "booked": link.meeting or talk,
            "talk": talk,
            "changeable": talk is not None and not talk.is_cancelled and talk.starts_at > now,
        }
        if problem is None:
            if link.engagement is not None:
                free = selectors.free_times(link.engagement, now=now)
            else:
                free = selectors.first_talk_free_times(practice, link.supervisor_id, now=now)
            context.update(_slots_context(free, request))
        elif context["changeable"] and talk is not None:
            free = selectors.first_talk_free_times(
                practice, talk.supervisor_id, now=now, exclude_talk=talk.pk
            )
            context.update(_slots_context(free, request))
        elif link.meeting is None and talk is None:
            status = 410
        return render(request, "booking/link.html", context, status=status)


def booking_link_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The meeting (or first talk) booked through a link, as a calendar file."""
    link = selectors.link_find(token)
    if link is None or (link.meeting is None and link.first_talk is None):
        raise Http404
    with scope(practice=link.practice):
        if link.first_talk is not None:
            talk = link.first_talk
            talk.practice = link.practice
            content = calendar_bytes(
                [talk],
                name=link.practice.name,
                method="PUBLISH",
                organizer=(talk.supervisor.name, talk.supervisor.email),
            )
            return ics_response(content, f"forsta-samtal-{talk.pk}.ics")
        meeting = link.meeting
        assert meeting is not None and link.engagement is not None
        meeting.engagement = link.engagement
        content = calendar_bytes(
            [meeting],
            name=link.engagement.title,
            method="PUBLISH",
            organizer=(meeting.supervisor.name, meeting.supervisor.email),
        )
    return ics_response(content, f"traff-{meeting.pk}.ics")
