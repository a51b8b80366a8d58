"""Engagements: list, detail, create, edit, and who is in the group."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bollplank.accounts.selectors import invitation_state, participant_invitations
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.rows import times_label, url_for_pk, weekday_abbreviations
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.engagements import services
from bollplank.engagements.forms import EngagementForm, JoinForm, LeaveForm
from bollplank.engagements.models import GroupMembership
from bollplank.meetings.models import Meeting
from bollplank.meetings.selectors import engagement_detail as select_engagement
from bollplank.meetings.selectors import (
    engagements_for_list,
    focus_over_time,
    meetings_of_engagement,
)

STAFF = (Role.ADMIN, Role.SUPERVISOR)


@practice_view(*STAFF)
def engagement_list(request: PracticeRequest) -> HttpResponse:
    """Engagements the person runs (admins: all), with quota."""
    user, practice, roles = who(request)
    engagements = engagements_for_list(user, practice, roles)
    status = request.GET.get("status", "active")
    if status in {"active", "ended"}:
        engagements = engagements.filter(status=status)
    return render(request, "engagements/list.html", {"engagements": engagements, "status": status})


@practice_view(*STAFF)
def engagement_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    # Only the columns the page reads; each meeting's engagement is this one (its effective
    # focus reads it), not a second copy of it per row from a join.
    meetings: list[Any] = list(
        meetings_of_engagement(engagement)
        .select_related(None)
        .only("id", "engagement_id", "starts_at", "ends_at", "focus", "status", "late_cancellation")
    )
    now = clock.now()
    memberships: list[Any] = list(engagement.memberships.all())
    active_members = [m for m in memberships if m.left_on is None]
    # Where each current participant stands with logging in (one query for them all).
    latest = participant_invitations(practice, [m.participant_id for m in active_members])
    for member in active_members:
        member.invitation = invitation_state(
            latest.get(member.participant_id),
            has_login=member.participant.user_id is not None,
            now=now,
        )
    # Each meeting row's link, times and focus made here once instead of a reverse() and four
    # |date filters per row in the template, which grew with the engagement (the same text as
    # the filters gave, in the practice's time zone).
    meeting_url = url_for_pk("meeting_detail", practice.slug)
    weekdays = weekday_abbreviations()
    focus_names = dict(Meeting._meta.get_field("focus").flatchoices)
    engagement_focus = engagement.get_focus_display()
    for m in meetings:
        m.engagement = engagement
        start = timezone.localtime(m.starts_at)
        m.row_url = meeting_url(m.pk)
        m.row_day = f"{weekdays[start.weekday()]} {start.date().isoformat()}"
        m.row_week = start.isocalendar().week
        m.row_times = times_label(m.starts_at, m.ends_at)
        m.row_focus = str(focus_names.get(m.focus, m.focus)) if m.focus else engagement_focus
        m.row_held = m.ends_at <= now
    focus_periods = focus_over_time(meetings, now)
    # The focus strip's day texts (|date:"Y-m-d" and |date:"j/n"), made once per meeting.
    focus_rows = [
        (
            period,
            [
                (day.isoformat(), f"{day.day}/{day.month}", focus, held)
                for day, focus, held in period.meetings
            ],
        )
        for period in focus_periods
    ]
    return render(
        request,
        "engagements/detail.html",
        {
            "engagement": engagement,
            "meetings": meetings,
            "now": now,
            "active_members": active_members,
            "not_invited": sum(1 for m in active_members if m.invitation.status == "not_invited"),
            "former_members": [m for m in memberships if m.left_on is not None],
            "join_form": JoinForm(initial={"joined_on": clock.today()}),
            "focus_periods": focus_periods,
            "focus_rows": focus_rows,
        },
    )


@practice_view(*STAFF)
def engagement_create(request: PracticeRequest) -> HttpResponse:
    user, practice, roles = who(request)
    form = EngagementForm(
        request.POST or None, practice=practice, actor=user, roles=roles, creating=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(
                actor=user,
                practice=practice,
                participants=form.cleaned_data["participants_text"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The engagement is created. Now plan its meetings."),
            )
            return redirect("series_plan", practice.slug, engagement.pk)
    return render(request, "engagements/form.html", {"form": form, "engagement": None})


@practice_view(*STAFF)
def engagement_edit(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    form = EngagementForm(
        request.POST or None,
        instance=engagement,
        practice=practice,
        actor=user,
        roles=roles,
        creating=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(actor=user, engagement=engagement, **form.service_fields())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("engagement_detail", practice.slug, engagement.pk)
    return render(request, "engagements/form.html", {"form": form, "engagement": engagement})


@practice_view(*STAFF)
def participant_join(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    form = JoinForm(request.POST or None, initial={"joined_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_join(actor=user, engagement=engagement, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s has joined.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("engagement_detail", practice.slug, engagement.pk)
    return render(request, "engagements/join_form.html", {"form": form, "engagement": engagement})


@practice_view(*STAFF)
def participant_leave(request: PracticeRequest, pk: int, membership_pk: int) -> HttpResponse:
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    membership: GroupMembership = get_object_or_404(
        GroupMembership.objects.filter(engagement=engagement).select_related("participant"),
        pk=membership_pk,
    )
    form = LeaveForm(request.POST or None, initial={"left_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_leave(
                actor=user, membership=membership, left_on=form.cleaned_data["left_on"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s has left the group.") % {"name": membership.participant.name}
            )
            return redirect("engagement_detail", practice.slug, engagement.pk)
    return render(
        request,
        "engagements/leave_form.html",
        {"form": form, "engagement": engagement, "membership": membership},
    )


@require_POST
@practice_view(*STAFF)
def participant_invite(request: PracticeRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Invite a participant to log in, or send the invitation again (the old link stops)."""
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    membership: GroupMembership = get_object_or_404(
        GroupMembership.objects.filter(engagement=engagement).select_related("participant"),
        pk=membership_pk,
    )
    participant = membership.participant
    try:
        services.participant_invite(actor=user, engagement=engagement, participant=participant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("An invitation is sent to %(email)s.") % {"email": participant.email}
        )
    return redirect("engagement_detail", practice.slug, engagement.pk)


@require_POST
@practice_view(*STAFF)
def participants_invite_all(request: PracticeRequest, pk: int) -> HttpResponse:
    """Invite every current participant not yet invited."""
    user, practice, roles = who(request)
    engagement = select_engagement(user, practice, roles, pk)
    invited = services.participants_invite_all(actor=user, engagement=engagement)
    if invited:
        messages.success(
            request,
            ngettext(
                "An invitation is sent to %(count)d participant.",
                "Invitations are sent to %(count)d participants.",
                len(invited),
            )
            % {"count": len(invited)},
        )
    else:
        messages.info(request, _("Everyone in the group has already been invited."))
    return redirect("engagement_detail", practice.slug, engagement.pk)
