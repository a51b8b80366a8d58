"""Every read of engagements and groups, scoped to what the acting person may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from bollplank.clients.models import Client
from bollplank.clients.selectors import clients_visible_to
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.enums import Status
from bollplank.engagements.models import Engagement, GroupMembership


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
    if not roles & {Role.PARTICIPANT, Role.CLIENT_CONTACT}:
        # A supervisor's own: a test on the engagement's own column, which cannot repeat a
        # row, so no DISTINCT over every column (nor a COUNT over one, for a page of them).
        return qs.filter(visible)
    return qs.filter(visible).distinct()


def opens_engagement_page(user: Any, roles: frozenset[str], engagement: Engagement) -> bool:
    """Whether the engagement page (staff only) shows ``engagement`` to this person: the staff
    part of engagements_visible_to, for an engagement already at hand, without a query."""
    if Role.ADMIN in roles:
        return True
    return Role.SUPERVISOR in roles and engagement.supervisor_id == user.pk


def engagement_for_client(
    user: Any, practice: Practice, roles: frozenset[str], pk: int
) -> Engagement:
    """One engagement of the contact's client with what its schedule page shows (the title,
    the supervisor's name, the period and what was agreed about attendance), or 404."""
    qs = (
        engagements_visible_to(user, practice, roles)
        .select_related("supervisor")
        .only(
            "id",
            "practice_id",
            "title",
            "start_date",
            "end_date",
            "attendance_visibility",
            "supervisor__id",
            "supervisor__name",
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


def clients_for_list(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Client]:
    """Clients with the number of active engagements, for the client list."""
    return clients_visible_to(user, practice, roles).annotate(
        active_engagements=Count("engagements", filter=Q(engagements__status=Status.ACTIVE))
    )
