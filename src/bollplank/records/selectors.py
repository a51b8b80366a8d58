"""Every read of confidential texts, scoped to the one person allowed to read each.

Private notes and journal entries: their author alone — no role widens this, not even
practice admin. Questions sent in: the supervisor, the sender, and the group when the sender
chose so. Summaries: the supervisor, and the participants once published.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from bollplank.core.models import AuditEvent, Practice
from bollplank.core.roles import Role
from bollplank.engagements.models import Engagement
from bollplank.meetings.models import Meeting
from bollplank.meetings.selectors import meetings_visible_to
from bollplank.records.enums import Visibility
from bollplank.records.models import JournalEntry, PrivateNote, Submission, Summary


def notes_visible_to(user: Any, practice: Practice) -> QuerySet[PrivateNote]:
    """The person's own private notes, and nobody else's."""
    return PrivateNote.objects.filter(practice=practice, author=user).select_related(
        "engagement", "meeting", "practice"
    )


def notes_of_meeting(user: Any, meeting: Meeting) -> QuerySet[PrivateNote]:
    # The meeting's page shows only the notes' own fields (and audits under their practice):
    # no other joins on a page read on every visit.
    return (
        notes_visible_to(user, meeting.practice)
        .filter(meeting=meeting)
        .select_related(None)
        .select_related("practice")
    )


def running_notes(user: Any, engagement: Engagement) -> QuerySet[PrivateNote]:
    return notes_visible_to(user, engagement.practice).filter(
        engagement=engagement, meeting__isnull=True
    )


def summaries_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Summary]:
    """Participants: published summaries of their meetings. Supervisors: their own, drafts too.
    Client contacts and admins who are not the author: none."""
    qs = Summary.objects.filter(practice=practice)
    visible = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        visible |= Q(author=user)
    if Role.PARTICIPANT in roles:
        mine = meetings_visible_to(user, practice, frozenset({Role.PARTICIPANT}))
        visible |= Q(published_at__isnull=False, meeting__in=mine.values("pk"))
    return qs.filter(visible).select_related("meeting", "meeting__engagement")


def published_summaries_of(practice: Practice, meetings: QuerySet[Any]) -> QuerySet[Summary]:
    """The published summaries of ``meetings``: for a participant's own pages, given the
    meetings the participant may see (summaries_visible_to's rule for that role)."""
    return Summary.objects.filter(
        practice=practice, published_at__isnull=False, meeting__in=meetings.values("pk")
    ).select_related("meeting", "meeting__engagement")


def submissions_visible_to(
    user: Any, meeting: Meeting, roles: frozenset[str]
) -> QuerySet[Submission]:
    """The meeting's supervisor: all. A participant: their own, and the group's shared ones if
    they were in the group on that day."""
    qs = Submission.objects.filter(meeting=meeting).select_related("participant")
    if Role.SUPERVISOR in roles and meeting.supervisor_id == user.pk:
        return qs
    if Role.PARTICIPANT in roles:
        in_group = meetings_visible_to(
            user, meeting.practice, frozenset({Role.PARTICIPANT})
        ).filter(pk=meeting.pk)
        own = Q(participant__user=user)
        shared = Q(visibility=Visibility.GROUP, meeting__in=in_group.values("pk"))
        return qs.filter(own | shared)
    return qs.none()


def journal_of(user: Any, practice: Practice) -> QuerySet[JournalEntry]:
    """The person's own journal."""
    return JournalEntry.objects.filter(practice=practice, author=user).select_related(
        "meeting", "meeting__engagement"
    )


def audit_events_for_admin(practice: Practice) -> QuerySet[AuditEvent]:
    """Who did what in the practice — actions and ids, never content."""
    return AuditEvent.objects.filter(practice=practice).select_related("actor").order_by("-id")


def reads_about(user: Any, practice: Practice) -> QuerySet[AuditEvent]:
    """The person's log extract: every recorded read of texts about them, by whom and when."""
    return (
        AuditEvent.objects.filter(practice=practice, subjects__user=user)
        .select_related("actor")
        .order_by("-id")
    )
