"""The demo firm's group history (called from demo/firm.py): someone leaves a group and a
newcomer joins, so that attendance and who sees which meetings show the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.engagements.services import participant_join, participant_leave


def demo_turnover(*, engagement: Engagement, newcomer: str, email: str, joined: dt.date) -> None:
    """``newcomer`` joins on ``joined``; a week later the last of the original members leaves
    (the last, so that the members with logins stay)."""
    participant_join(
        actor=engagement.supervisor,
        engagement=engagement,
        name=newcomer,
        email=email,
        joined_on=joined,
    )
    leaving = (
        GroupMembership.objects.filter(engagement=engagement, left_on__isnull=True)
        .exclude(participant__email=email)
        .order_by("-pk")
        .first()
    )
    assert leaving is not None
    participant_leave(
        actor=engagement.supervisor, membership=leaving, left_on=joined + dt.timedelta(days=7)
    )


def demo_participant_login(participant: Participant, user: Any) -> None:
    """Link the participant to their login: what accepting an invitation does, without the
    e-mail."""
    Participant.objects.filter(pk=participant.pk).update(user=user)
