"""The demo firm's protected room (called from demo/firm.py): what is said and written around
the meetings of the groups whose participants can log in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.records import services

SUMMARY_TEXT = (
    "Vi pratade om hur vi tar emot varandras berättelser utan att genast ge råd. "
    "Till nästa gång: tänk på en situation där du stod kvar i det svåra."
)
NOTE_TEXT = "Gruppen var tystare än vanligt. Följ upp arbetsbelastningen nästa gång."
QUESTION_TEXT = "Hur sätter jag gränser när en förälder ringer efter arbetstid?"
JOURNAL_TEXT = "Jag märkte att jag ville lösa allt själv. Att lyssna först var svårt men gav mer."


def demo_protected_room(
    *, practice: Practice, engagements: Iterable[Engagement], now: dt.datetime
) -> None:
    """For each group with a member who can log in: summaries of the last two meetings, a
    private note, questions sent in for the next meeting, the case rota ahead, and a journal
    entry."""
    for engagement in engagements:
        if engagement.form != "group":
            continue
        member = (
            GroupMembership.objects.filter(
                engagement=engagement, left_on__isnull=True, participant__user__isnull=False
            )
            .select_related("participant__user")
            .first()
        )
        if member is None:
            continue
        supervisor = engagement.supervisor
        held = list(
            Meeting.objects.filter(
                engagement=engagement, ends_at__lte=now, status=MeetingStatus.PLANNED
            ).order_by("-starts_at")[:2]
        )
        for meeting in held:
            services.summary_save(
                actor=supervisor, meeting=meeting, body=SUMMARY_TEXT, publish=True, now=now
            )
        if held:
            services.note_create(
                actor=supervisor,
                engagement=engagement,
                meeting=held[0],
                body=NOTE_TEXT,
                confirmed=True,
            )
        ahead = list(
            Meeting.objects.filter(
                engagement=engagement, starts_at__gte=now, status=MeetingStatus.PLANNED
            ).order_by("starts_at")[:4]
        )
        services.rota_apply(actor=supervisor, engagement=engagement, meetings=ahead)
        user = member.participant.user
        open_for_questions = [m for m in ahead if services.submission_deadline(m) > now][:1]
        for meeting in open_for_questions:
            services.submission_create(
                actor=user,
                meeting=meeting,
                participant=member.participant,
                body=QUESTION_TEXT,
                visibility="group",
                confirmed=True,
                now=now,
            )
        services.journal_write(
            actor=user,
            practice=practice,
            body=JOURNAL_TEXT,
            meeting=held[0] if held else None,
        )
