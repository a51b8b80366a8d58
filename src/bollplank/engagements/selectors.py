"""Every read of engagements and groups, scoped to what the acting person may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting


def engagements_visible_to(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Engagement]:
    """Admins see every engagement; a supervisor their own; a participant those they are or were
    in; a client contact those of their client."""
    qs = Engagement.objects.filter(practice=practice)
    if Role.ADMIN in roles:
        return qs
    visible = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        visible |= Q(supervisor=user)
    if Role.PARTICIPANT in roles:
        visible |= Q(memberships__participant__user=user)
    if Role.CLIENT_CONTACT in roles:
        visible |= Q(client__contacts__user=user)
    return qs.filter(visible).distinct()


def with_quota(qs: QuerySet[Engagement], now: dt.datetime | None = None) -> QuerySet[Engagement]:
    """Annotate held / planned meetings: held have ended and were not cancelled, planned are
    still to come. With meetings_ordered that is the quota."""
    now = now or clock.now()
    live = Q(meetings__status=MeetingStatus.PLANNED)
    return qs.annotate(
        held_count=Count("meetings", filter=live & Q(meetings__ends_at__lte=now), distinct=True),
        planned_count=Count("meetings", filter=live & Q(meetings__ends_at__gt=now), distinct=True),
        late_cancelled_count=Count(
            "meetings",
            filter=Q(meetings__status=MeetingStatus.CANCELLED, meetings__late_cancellation=True),
            distinct=True,
        ),
    )


def engagements_for_list(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Engagement]:
    """Engagements with their client, supervisor and quota, for lists and start pages."""
    return with_quota(
        engagements_visible_to(user, practice, roles).select_related("client", "supervisor")
    ).order_by("status", "client__name", "title")


def _meeting_count(**filters: Any) -> Coalesce:
    """How many of the outer engagement's meetings match ``filters``, as a correlated subquery
    on the (engagement, starts_at) index."""
    counted = (
        Meeting.objects.filter(engagement=OuterRef("pk"), **filters)
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def engagements_for_client_page(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Engagement]:
    """The client contact's start page: the engagements with the supervisor's name and the
    quota counts of with_quota, counted per engagement in subqueries instead of a join with
    every meeting grouped over every column (a long-standing client has thousands)."""
    now = clock.now()
    planned = MeetingStatus.PLANNED
    return (
        engagements_visible_to(user, practice, roles)
        .select_related("supervisor")
        .only(
            "id",
            "title",
            "form",
            "meeting_minutes",
            "expectations",
            "goals",
            "meetings_ordered",
            "start_date",
            "end_date",
            "status",
            "supervisor__id",
            "supervisor__name",
        )
        .annotate(
            held_count=_meeting_count(status=planned, ends_at__lte=now),
            planned_count=_meeting_count(status=planned, ends_at__gt=now),
            late_cancelled_count=_meeting_count(
                status=MeetingStatus.CANCELLED, late_cancellation=True
            ),
        )
        .order_by("status", "client__name", "title")
    )


def engagement_detail(user: Any, practice: Practice, roles: frozenset[str], pk: int) -> Engagement:
    """One engagement the person may see (404 otherwise), with memberships prefetched."""
    from django.shortcuts import get_object_or_404

    qs = with_quota(
        engagements_visible_to(user, practice, roles).select_related("client", "supervisor")
    ).prefetch_related(
        Prefetch(
            "memberships",
            queryset=GroupMembership.objects.select_related("participant").order_by(
                "left_on", "participant__name"
            ),
        )
    )
    return get_object_or_404(qs, pk=pk)


def members_on(engagement: Engagement, day: dt.date) -> list[GroupMembership]:
    """Who was in the group on ``day`` (joined on or before it and not yet left)."""
    return [
        m
        for m in engagement.memberships.all()
        if m.joined_on <= day and (m.left_on is None or m.left_on > day)
    ]
