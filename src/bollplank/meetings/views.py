"""Meetings: the calendar, planning a series, one meeting's page, moves, cancellations,
attendance, and calendar files and feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_scopes import scope, scopes_disabled

from bollplank.accounts.models import hash_token
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.rows import times_label, url_for_pk, weekday_abbreviations
from bollplank.core.tenancy import (
    PracticeRequest,
    practice_view,
    roles_in,
    second_factor_missing,
    who,
)
from bollplank.core.timeutils import in_range
from bollplank.engagements.selectors import members_on, opens_engagement_page
from bollplank.meetings import services
from bollplank.meetings.commitments import commitments_for_feed
from bollplank.meetings.corrections import meeting_record_held
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.forms import FocusForm, MeetingForm, MoveForm, SeriesForm
from bollplank.meetings.ics import calendar_bytes, ics_response
from bollplank.meetings.links import (
    MEETING_PAGE_ROLES,
    calendar_link,
    feed_event_urls,
    room_opener,
)
from bollplank.meetings.models import CalendarFeed, Meeting
from bollplank.meetings.proposals import first_plan_day
from bollplank.meetings.selectors import engagement_detail as select_engagement
from bollplank.meetings.selectors import (
    feed_meetings,
    meetings_visible_to,
    with_schedule_index,
)
from bollplank.meetings.selectors import (
    meeting_detail as select_meeting,
)
from bollplank.meetings.video import (
    OPENS_BEFORE,
    feed_join_pages,
    meeting_join_page,
    meeting_link,
)
from bollplank.records.selectors import summaries_visible_to

STAFF = (Role.ADMIN, Role.SUPERVISOR)
ALL_ROLES = tuple(Role)


def sees_location(roles: frozenset[str]) -> bool:
    """A client contact sees the schedule, not the place: for video meetings the place is the
    room's link, and the client is not in the room."""
    return bool(roles & {Role.ADMIN, Role.SUPERVISOR, Role.PARTICIPANT})


@practice_view(*STAFF)
def meeting_list(request: PracticeRequest) -> HttpResponse:
    """All meetings the person may see, upcoming or past, 50 a page."""
    user, practice, roles = who(request)
    when = request.GET.get("when", "upcoming")
    # Only the columns a row shows, as tuples: model instances for the meeting, its engagement
    # and client cost more than the rest of the page.
    visible = meetings_visible_to(user, practice, roles)
    now = clock.now()
    if when == "past":
        visible, order = visible.filter(starts_at__lt=now), "-starts_at"
    else:
        when = "upcoming"
        visible, order = visible.filter(starts_at__gte=now), "starts_at"
    # The pager counts and pages the meetings alone; only the page's fifty are then joined
    # with their engagements and clients. Joined first, the count and every later page hashed
    # every engagement of the practice, which grew with the practice.
    page = Paginator(visible.order_by(order).values_list("pk", flat=True), 50).get_page(
        request.GET.get("page")
    )
    shown = (
        Meeting.objects.filter(practice=practice, pk__in=page.object_list)
        .order_by(order)
        .values_list(
            "pk", "starts_at", "ends_at", "status", "engagement__title", "engagement__client__name"
        )
    )
    # Each row's text made here once (the same as the template's |date filters in the
    # practice's time zone): one reverse() for the link pattern, the weekday names looked up
    # once, not per row.
    meeting_url = url_for_pk("meeting_detail", practice.slug)
    weekdays = weekday_abbreviations()
    rows = []
    for pk, starts_at, ends_at, status, title, client in shown:
        start = timezone.localtime(starts_at)
        rows.append(
            {
                "url": meeting_url(pk),
                "day": f"{weekdays[start.weekday()]} {start.date().isoformat()}",
                "times": times_label(starts_at, ends_at),
                "title": title,
                "client": client,
                "is_cancelled": status == MeetingStatus.CANCELLED,
            }
        )
    return render(request, "meetings/list.html", {"page": page, "rows": rows, "when": when})


# --- planning -------------------------------------------------------------------------------


def _rows_from_post(request: HttpRequest) -> tuple[list[tuple[dt.date, dt.time, bool]], list[str]]:
    """The dates and times of a series preview as the user left them."""
    rows: list[tuple[dt.date, dt.time, bool]] = []
    errors: list[str] = []
    try:
        total = min(int(request.POST.get("rows", "0")), services.MAX_SERIES * 2)
    except ValueError:
        total = 0
    for i in range(total):
        raw_day = request.POST.get(f"day-{i}", "")
        raw_time = request.POST.get(f"time-{i}", "")
        try:
            day = dt.date.fromisoformat(raw_day)
            time = dt.time.fromisoformat(raw_time)
        except ValueError:
            errors.append(_("Row %(n)d: give the time as HH:MM.") % {"n": i + 1})
            continue
        if not in_range(day):
            errors.append(_("Row %(n)d: the date is out of range.") % {"n": i + 1})
            continue
        rows.append((day, time, request.POST.get(f"include-{i}") == "on"))
    return rows, errors


@practice_view(*STAFF)
def series_plan(request: PracticeRequest, pk: int) -> HttpResponse:
    """Plan a series: choose the rhythm, see every date with what is in its way (holidays, double
    bookings, clock changes), adjust each date, then create them all at once."""
    user, practice, roles = who(request)
    engagement: Any = select_engagement(user, practice, roles, pk)
    first_time = dt.time(9, 0)
    first_day = first_plan_day(start=engagement.start_date, time=first_time, zone=practice.timezone)
    form = SeriesForm(
        request.POST or None,
        initial={
            "first_day": first_day,
            "time": first_time,
            "minutes": engagement.meeting_minutes,
            "count": max(
                engagement.meetings_ordered - engagement.held_count - engagement.planned_count, 1
            ),
        },
    )
    context: dict[str, Any] = {"engagement": engagement, "form": form, "proposals": None}
    if request.method != "POST" or not form.is_valid():
        return render(request, "meetings/series_plan.html", context)
    data = form.cleaned_data
    length = dt.timedelta(minutes=data["minutes"])
    if request.POST.get("action") == "create":
        rows, errors = _rows_from_post(request)
        chosen = [services.ChosenMeeting(day, time) for day, time, include in rows if include]
        if not errors:
            try:
                created = services.meetings_create_series(
                    actor=user,
                    engagement=engagement,
                    chosen=chosen,
                    minutes=data["minutes"],
                    focus=data.get("focus") or "",
                    over_order_ok=request.POST.get("over_order_ok") == "on",
                )
            except ValidationError as exc:
                errors = [str(m) for m in exc.messages]
                context["asks_over_order"] = getattr(exc, "code", None) == services.OVER_ORDER
            else:
                n = len(created)
                messages.success(
                    request,
                    ngettext("%(n)d meeting is planned.", "%(n)d meetings are planned.", n)
                    % {"n": n},
                )
                return redirect("engagement_detail", practice.slug, engagement.pk)
        # Show the user's own choices again, each with what is now in its way.
        proposals = [
            (services.propose_one(engagement, day, time, length, skip_holidays=True), include)
            for day, time, include in rows
        ]
        context.update({"proposals": proposals, "errors": errors})
        return render(request, "meetings/series_plan.html", context, status=400)
    try:
        found = services.series_propose(
            engagement=engagement,
            first_day=data["first_day"],
            time=data["time"],
            interval_weeks=data["interval_weeks"],
            until=data["until"] if data["end_mode"] == "until" else None,
            count=data["count"] if data["end_mode"] == "count" else None,
            minutes=data["minutes"],
            skip_holidays=data["skip_holidays"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "meetings/series_plan.html", context)
    context["proposals"] = [(p, p.suggested) for p in found]
    return render(request, "meetings/series_plan.html", context)


@practice_view(*STAFF)
def meeting_create(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    form = MeetingForm(
        request.POST or None,
        initial={"minutes": engagement.meeting_minutes, "time": dt.time(9, 0)},
    )
    context: dict[str, Any] = {"form": form, "engagement": engagement}
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("day", "time", "minutes", "focus")}
        try:
            if form.cleaned_data["held"]:
                # A meeting already held: first the attendance of everyone that day.
                rows = [
                    (m.participant, request.POST.get(f"attendance-{m.participant_id}", ""))
                    for m in members_on(engagement, data["day"])
                ]
                context.update(attendance_rows=rows, attendance_choices=AttendanceStatus.choices)
                if "attendance-step" not in request.POST:
                    return render(request, "meetings/meeting_form.html", context)
                statuses = {p.pk: status for p, status in rows if status}
                meeting = meeting_record_held(
                    actor=user, engagement=engagement, attendance=statuses, **data
                )
            else:
                meeting = services.meeting_create(
                    actor=user,
                    engagement=engagement,
                    over_order_ok=form.cleaned_data["over_order_ok"],
                    **data,
                )
        except ValidationError as exc:
            apply_errors(form, exc)
            form.asks_over_order |= getattr(exc, "code", None) == services.OVER_ORDER
        else:
            held = form.cleaned_data["held"]
            messages.success(
                request,
                _("The held meeting is recorded.") if held else _("The meeting is planned."),
            )
            return redirect("meeting_detail", practice.slug, meeting.pk)
    return render(
        request, "meetings/meeting_form.html", context, status=400 if form.errors else 200
    )


# --- one meeting ----------------------------------------------------------------------------


@practice_view(*MEETING_PAGE_ROLES)
def meeting_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    staff = bool(roles & {Role.ADMIN, Role.SUPERVISOR}) and (
        Role.ADMIN in roles or meeting.supervisor_id == user.pk
    )
    context: dict[str, Any] = {
        "meeting": meeting,
        "staff": staff,
        "engagement_link": opens_engagement_page(user, roles, meeting.engagement),
    }
    local = timezone.localtime(meeting.starts_at)
    if staff:
        recorded = {a.participant_id: a.status for a in meeting.attendance.all()}
        members = members_on(meeting.engagement, local.date())
        # Before the start only a late cancellation can be said (services.attendance_record).
        begun = meeting.starts_at <= clock.now()
        context.update(
            {
                "attendance_begun": begun,
                "attendance_rows": [
                    (m.participant, recorded.get(m.participant_id, "")) for m in members
                ],
                "attendance_choices": AttendanceStatus.choices,
                "late_cancelled": AttendanceStatus.LATE_CANCELLED,
                "move_form": MoveForm(
                    initial={
                        "day": local.date(),
                        "time": local.time(),
                        "minutes": int((meeting.ends_at - meeting.starts_at).total_seconds() // 60),
                    }
                ),
                "focus_form": FocusForm(initial={"focus": meeting.effective_focus}),
                "notice_hours": practice.late_cancellation_hours,
                "would_be_late": meeting.starts_at - clock.now()
                < dt.timedelta(hours=practice.late_cancellation_hours),
            }
        )
    else:
        own = [a for a in meeting.attendance.all() if a.participant.user_id == user.pk]
        context["own_attendance"] = own[0] if own else None
        context["summary"] = (
            summaries_visible_to(user, practice, frozenset({Role.PARTICIPANT}))
            .filter(meeting=meeting)
            .first()
        )
    turn = getattr(meeting, "case_turn", None)
    context["case_owner"] = turn.participant if turn else None
    # The person's own link to the video room (their token, made now), if they have a seat.
    context["video_link"] = meeting_link(meeting, user, practice)
    context["opens_minutes"] = OPENS_BEFORE.seconds // 60
    return render(request, "meetings/detail.html", context)


@practice_view(*STAFF)
def meeting_move(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    if meeting.is_history:
        # Held or cancelled is settled: a held meeting is corrected, not moved.
        messages.error(
            request,
            str(services.HELD_IS_HISTORY)
            if meeting.is_held
            else _("A cancelled meeting cannot be moved."),
        )
        return redirect("meeting_detail", practice.slug, meeting.pk)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reschedule(actor=user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is moved. Calendars that subscribe update."))
            return redirect("meeting_detail", practice.slug, meeting.pk)
    return render(
        request,
        "meetings/move.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@require_POST
@practice_view(*STAFF)
def meeting_attendance(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    statuses: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("attendance-") and value:
            try:
                statuses[int(key.removeprefix("attendance-"))] = value
            except ValueError:
                continue
    try:
        services.attendance_record(actor=user, meeting=meeting, statuses=statuses)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Attendance is saved."))
    return redirect("meeting_detail", practice.slug, meeting.pk)


@require_POST
@practice_view(*STAFF)
def meeting_focus(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    meeting = select_meeting(user, practice, roles, pk)
    form = FocusForm(request.POST)
    if form.is_valid():
        services.meeting_set_focus(actor=user, meeting=meeting, focus=form.cleaned_data["focus"])
        messages.success(request, _("The focus is saved."))
    else:
        messages.error(request, _("Choose process, case or mixed."))
    return redirect("meeting_detail", practice.slug, meeting.pk)


@practice_view(*ALL_ROLES)
def meeting_ics(request: PracticeRequest, pk: int) -> HttpResponse:
    """One meeting as a calendar file."""
    user, practice, roles = who(request)
    qs: QuerySet[Any] = meetings_visible_to(user, practice, roles).select_related(
        "engagement", "supervisor"
    )
    if Role.CLIENT_CONTACT in roles:
        qs = with_schedule_index(qs)
    meeting = qs.filter(pk=pk).first()
    if meeting is None:
        raise Http404
    # The event's link is a page the person may open: the file outlives this visit.
    opens = room_opener(user, practice, roles, [meeting.pk])
    url = request.build_absolute_uri(calendar_link(practice.slug, opens)(meeting))
    content = calendar_bytes(
        [meeting],
        name=meeting.engagement.title,
        method="PUBLISH",
        urls={meeting.pk: url},
        with_location=sees_location(roles),
        organizer=(meeting.supervisor.name, meeting.supervisor.email),
        # The join page, never a token: the file ends up on calendar servers outside our control.
        places={
            meeting.uid: meeting_join_page(
                meeting, user, request.build_absolute_uri("/").rstrip("/"), practice
            )
        },
    )
    return ics_response(content, f"traff-{meeting.pk}.ics")


# --- feeds ----------------------------------------------------------------------------------


@practice_view(*ALL_ROLES)
def feed_settings(request: PracticeRequest) -> HttpResponse:
    """The person's private calendar link: create (replacing the old one) or stop it."""
    user, practice, _roles = who(request)
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke_all(user=user, practice=practice)
            messages.success(
                request, _("The calendar link is stopped. It no longer shows anything.")
            )
            return redirect("feed_settings", practice.slug)
        _feed, token = services.feed_create(user=user, practice=practice)
        new_url = request.build_absolute_uri(reverse("feed", args=[token]))
    active = CalendarFeed.objects.filter(
        practice=practice, user=user, revoked_at__isnull=True
    ).first()
    return render(
        request,
        "meetings/feed_settings.html",
        {"active": active, "new_url": new_url},
    )


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings as a subscribable calendar, behind a secret, revocable link.

    Calendar clients poll it often; the answer tells them and any proxy to store nothing."""
    with scopes_disabled():
        found = (
            CalendarFeed.objects.select_related("practice", "user")
            .filter(token_hash=hash_token(token))
            .first()
        )
    if found is None:
        raise Http404
    if found.revoked_at is not None or not found.user.is_active:
        return HttpResponse(
            _("This calendar link has been stopped. Create a new one in Bollplank."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    practice = found.practice
    roles = roles_in(found.user, practice)
    if second_factor_missing(found.user, [(practice, roles)]):
        # A feed made before the practice required two-factor login must not outlive the rule.
        return HttpResponse(
            _("Your practice requires two-factor login. Set it up in Bollplank to use this link."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    base = request.build_absolute_uri("/").rstrip("/")
    with timezone.override(practice.timezone), scope(practice=practice):
        # Light rows, not Meeting instances: the feed reads only what an event shows.
        meetings = feed_meetings(found.user, practice, roles)
        talks = commitments_for_feed(found.user, practice, roles)
        # The join page of the meetings whose video room the owner may enter, never a token:
        # calendar servers outside our control poll the feed and keep what it says.
        places = feed_join_pages(found.user, practice, meetings, base)
        urls = feed_event_urls(found.user, practice, roles, meetings, base)
        now = clock.now()
        # Write the last use at most hourly: feeds are polled often.
        if found.last_used_at is None or now - found.last_used_at > dt.timedelta(hours=1):
            CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
    # First talks (booking app) have no page of their own: no URL, and their pks are not
    # meetings' pks.
    content = calendar_bytes(
        sorted([*meetings, *talks], key=lambda m: m.starts_at),
        name=f"Bollplank – {practice.name}",
        urls=urls,
        with_location=sees_location(roles),
        places=places,
    )
    # Shown, not downloaded: calendar clients and browsers that subscribe read it in place.
    return ics_response(content, "bollplank.ics", inline=True)
