"""Start pages for each role, practice settings, and the pages every site needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.rows import times_label, url_for_pk, weekday_abbreviations
from bollplank.core.tenancy import PracticeRequest, practice_view, user_practices, who
from bollplank.directory.spam import source_key
from bollplank.evaluations.selectors import open_invitations
from bollplank.facilitation.selectors import runs_for_participant
from bollplank.home.feedback import RateLimited as FeedbackRateLimited
from bollplank.home.feedback import accessibility_feedback_send, feedback_enabled
from bollplank.home.forms import AccessibilityFeedbackForm, PracticeSettingsForm
from bollplank.home.menus import SETTINGS_GROUPS
from bollplank.meetings.commitments import with_commitments
from bollplank.meetings.links import set_calendar_links
from bollplank.meetings.selectors import (
    engagements_for_list,
    meetings_between,
    meetings_of_participant,
)
from bollplank.records.models import CaseTurn
from bollplank.records.selectors import published_summaries_of


def start_page_for(practice: Practice, roles: frozenset[str]) -> str:
    if roles & {Role.ADMIN, Role.SUPERVISOR}:
        return reverse("dashboard", args=[practice.slug])
    if Role.PARTICIPANT in roles:
        return reverse("participant_home", args=[practice.slug])
    return reverse("client_home", args=[practice.slug])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One practice: go to the start page for the role. Several: let the person choose."""
    practices = user_practices(request.user)
    if len(practices) == 1:
        practice, roles = practices[0]
        return redirect(start_page_for(practice, roles))
    choices = [(p, start_page_for(p, roles)) for p, roles in practices]
    return render(request, "home/choose_practice.html", {"choices": choices})


def _week_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    monday = today - dt.timedelta(days=today.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    return start, start + dt.timedelta(days=7)


@practice_view(Role.ADMIN, Role.SUPERVISOR)
def dashboard(request: PracticeRequest) -> HttpResponse:
    """The supervisor's day and week, and engagements by how much of the quota is used."""
    user, practice, roles = who(request)
    today = clock.today()
    week_start, week_end = _week_bounds(today)
    # A practice admin who is also a supervisor sees their own week here; all of the firm's
    # meetings are in the calendar.
    own_roles = frozenset({Role.SUPERVISOR}) if Role.SUPERVISOR in roles else roles
    # A meeting line shows the times, status and engagement title: no client, no other column.
    week = with_commitments(
        meetings_between(user, practice, own_roles, week_start, week_end)
        .select_related(None)
        .select_related("engagement")
        .only("id", "starts_at", "ends_at", "status", "engagement__title"),
        user,
        practice,
        own_roles,
        week_start,
        week_end,
    )
    # Each meeting line's link and times made here once, not with a template include and four
    # |date filters per line (the same text as meetings/_meeting_line.html; on this page the
    # person is always staff, so a meeting links to its page and a first talk to the links).
    set_calendar_links(week, practice.slug, opens=lambda _pk: True)
    weekdays = weekday_abbreviations()
    for m in week:
        start = timezone.localtime(m.starts_at)
        m.line_iso = start.isoformat()
        m.line_times = times_label(m.starts_at, m.ends_at)
        m.line_day = f"{weekdays[start.weekday()]} {start.day}/{start.month}"
    # Only the columns the table shows.
    engagements: list[Any] = list(
        engagements_for_list(user, practice, own_roles)
        .filter(status="active")
        .only(
            "id",
            "title",
            "meetings_ordered",
            "meeting_minutes",
            "client__id",
            "client__name",
            "supervisor__id",
        )
    )
    engagement_url = url_for_pk("engagement_detail", practice.slug)
    for e in engagements:
        e.detail_url = engagement_url(e.pk)
    # The engagements closest to running out of ordered meetings (or furthest past) first.
    engagements.sort(key=lambda e: (-e.quota.used_percent, e.title))
    return render(
        request,
        "home/dashboard.html",
        {
            "today": today,
            "week_number": today.isocalendar().week,
            "today_meetings": [m for m in week if timezone.localdate(m.starts_at) == today],
            "week_meetings": week,
            "engagements": engagements,
        },
    )


UPCOMING_SHOWN = 12
RECENT_SHOWN = 10
# What a participant's meeting line shows (home/participant_home.html, _label_meeting_lines).
_LINE_COLUMNS = ("id", "starts_at", "ends_at", "status", "location", "engagement__title")


@practice_view(Role.PARTICIPANT)
def participant_home(request: PracticeRequest) -> HttpResponse:
    """A participant's meetings ahead and behind, and their calendar link."""
    user, practice, _roles = who(request)
    now = clock.now()
    # The next few and the last few, not a year of meetings: someone in several groups has a
    # hundred ahead, and the page (and its rendering time) grew with them. The month
    # calendar shows the rest.
    # The visibility rule is read once for every list (the person's memberships, then plain
    # tests of a meeting's engagement and start: building and compiling the general rule's
    # subqueries in each query was most of this page's time), with only the engagement a line
    # shows, and only the columns a line shows.
    mine = meetings_of_participant(user, practice)
    visible = mine.select_related("engagement").only(*_LINE_COLUMNS).order_by("starts_at")
    past = now - dt.timedelta(hours=3)
    ahead = visible.filter(starts_at__gte=past, starts_at__lt=now + dt.timedelta(days=366))
    upcoming = list(ahead[: UPCOMING_SHOWN + 1])
    more_upcoming = len(upcoming) > UPCOMING_SHOWN
    upcoming = upcoming[:UPCOMING_SHOWN]
    recent = list(
        visible.filter(starts_at__gte=now - dt.timedelta(days=120), starts_at__lt=past).reverse()[
            :RECENT_SHOWN
        ]
    )
    _label_meeting_lines([*upcoming, *recent], practice)
    summaries = list(
        published_summaries_of(practice, mine)
        .only("id", "body", "meeting__id", "meeting__starts_at", "meeting__engagement__title")
        .order_by("-meeting__starts_at")[:5]
    )
    # Case turns in every meeting ahead, also those beyond the shown few.
    my_turns = list(
        CaseTurn.objects.filter(participant__user=user, meeting__in=ahead.values("pk"))
        .select_related("meeting", "meeting__engagement")
        .only("id", "meeting__id", "meeting__starts_at", "meeting__engagement__title")
        .order_by("meeting__starts_at")
    )
    # Questionnaires waiting for an answer.
    evaluations = list(open_invitations(user, practice))
    return render(
        request,
        "home/participant_home.html",
        {
            "upcoming": upcoming,
            "more_upcoming": more_upcoming,
            "recent": recent,
            "summaries": summaries,
            "my_turns": my_turns,
            "evaluations": evaluations,
            # Conversations they lead now, and takeaways they have to write.
            "my_runs": runs_for_participant(user, practice),
        },
    )


def _label_meeting_lines(meetings: list[Any], practice: Practice) -> None:
    """The participant's meeting lines (the markup of meetings/_meeting_line.html, inline in
    core/participant_home.html): the link, the day, the ISO start and the times made once here,
    as ``{% url %}``, ``|date:"D j F"``, ``|date:"c"`` and ``|date:"H:i"`` give them, instead of
    an include, a URL reversal and four filters per row in the template. A participant's page
    lists only meetings (no first talks), and a participant may open a meeting's page."""
    meeting_url = url_for_pk("meeting_detail", practice.slug)
    days = weekday_abbreviations()
    months = {i: str(name) for i, name in MONTHS.items()}
    for m in meetings:
        m.line_url = meeting_url(m.pk)
        start = timezone.localtime(m.starts_at)
        m.day_label = f"{days[start.weekday()]} {start.day} {months[start.month]}"
        m.iso_start = start.isoformat()
        m.time_label = times_label(m.starts_at, m.ends_at)


@practice_view(Role.ADMIN)
def practice_settings(request: PracticeRequest) -> HttpResponse:
    """The practice's rules: cancellation notice, travel buffer, two-factor login."""
    user, practice, _roles = who(request)
    form = PracticeSettingsForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit(user, "core.practice.updated", practice, {"fields": form.changed_data})
        messages.success(request, _("The settings are saved."))
        return redirect("practice_settings", practice.slug)
    return render(request, "home/practice_settings.html", {"form": form})


@practice_view(Role.ADMIN)
def settings_index(request: PracticeRequest) -> HttpResponse:
    """The practice's administration, its pages grouped (the same groups as the settings
    section's sub-navigation)."""
    slug = request.practice.slug
    groups = [
        (group.heading, [(link.label, link.path(slug)) for link in group.links])
        for group in SETTINGS_GROUPS
    ]
    return render(request, "home/settings_index.html", {"groups": groups})


# The day the statement was last checked against the site; DOS-lagen wants it shown.
ACCESSIBILITY_REVIEWED = dt.date(2026, 12, 6)


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (DOS-lagen): when it was reviewed, how to report a problem
    (a form mailed to the operator) and where to complain (DIGG)."""
    enabled = feedback_enabled()
    form = AccessibilityFeedbackForm(
        request.POST if request.method == "POST" and enabled else None,
        initial={"page": request.GET.get("page", "")[:500]},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                accessibility_feedback_send(
                    **form.cleaned_data, source=source_key(request.META.get("REMOTE_ADDR", ""))
                )
            except FeedbackRateLimited:
                status = 429
                form.add_error(
                    None,
                    _(
                        "We have received many messages from your address lately. Please try "
                        "again in an hour."
                    ),
                )
            else:
                return redirect("accessibility_thanks")
    return render(
        request,
        "home/accessibility.html",
        {"form": form if enabled else None, "reviewed": ACCESSIBILITY_REVIEWED},
        status=status,
    )


def accessibility_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "home/accessibility_thanks.html")


def noop(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: the full middleware stack and nothing else (bench/)."""
    return HttpResponse(b"ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)
