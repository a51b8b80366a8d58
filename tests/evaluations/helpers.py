"""Shared helpers of the evaluations tests."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core import mail
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.evaluations import services
from bollplank.evaluations.enums import Phase
from bollplank.evaluations.models import Invitation, Questionnaire, Round
from tests import factories as f


def shipped(key: str) -> Questionnaire:
    with scopes_disabled():
        return Questionnaire.shipped.get(key=key)


def link_tokens() -> list[str]:
    """The tokens of the answer links in the e-mails sent so far."""
    return [m for msg in mail.outbox for m in re.findall(r"/e/([0-9a-f]+)/", msg.body)]


def after_meeting(world: Any, *, anonymous: bool = True, meeting: Any = None) -> Round:
    with scope(practice=world.practice):
        return services.after_meeting_send(
            actor=world.supervisor, meeting=meeting or world.meeting, anonymous=anonymous
        )


def evaluation_round(
    world: Any, engagement: Any, *, anonymous: bool = True, phase: str = Phase.MIDPOINT
) -> Round:
    now = clock.now()
    with scope(practice=world.practice):
        return services.round_create(
            actor=engagement.supervisor,
            engagement=engagement,
            questionnaire=shipped("engagement-evaluation"),
            phase=phase,
            anonymous=anonymous,
            send_on=now,
            closes_at=now + dt.timedelta(days=7),
        )


def answer_all(rnd: Round, value: int = 8, n: int | None = None) -> None:
    """Every invited person (or the first n) answers every numeric question with ``value``."""
    with scope(practice=rnd.practice):
        invitations = list(
            Invitation.objects.filter(round=rnd, answered_at__isnull=True).select_related(
                "participant", "round"
            )
        )[:n]
        questions = list(rnd.questionnaire.questions.all())
        for inv in invitations:
            data: dict[int, Any] = {}
            for q in questions:
                if q.scale == "text":
                    data[q.pk] = ""
                elif q.scale == "yesno":
                    data[q.pk] = 1
                elif q.scale == "agree5":
                    data[q.pk] = min(value, 5)
                else:
                    data[q.pk] = value
            services.response_submit(invitation=inv, user=None, data=data)


def close(rnd: Round) -> None:
    """Move a round's deadline into the past (as if a week went by)."""
    with scopes_disabled():
        Round.objects.filter(pk=rnd.pk).update(
            send_on=clock.now() - dt.timedelta(days=8),
            closes_at=clock.now() - dt.timedelta(minutes=1),
        )
        rnd.refresh_from_db()


def group(world: Any, size: int, title: str = "Stora gruppen") -> Any:
    """A group engagement of the world's client with ``size`` participants (Pia among them)."""
    with scopes_disabled():
        engagement = f.EngagementFactory(
            practice=world.practice, client=world.client, supervisor=world.supervisor, title=title
        )
        pia = world.engagement.memberships.get(participant__user=world.participant_user).participant
        f.GroupMembershipFactory(engagement=engagement, participant=pia)
        for _ in range(size - 1):
            f.GroupMembershipFactory(engagement=engagement)
        meeting = f.MeetingFactory(engagement=engagement)
    return engagement, meeting
