"""Follow-up in the demo firm: after-meeting checks of a group's recent meetings, a mid-point
evaluation, an open check waiting on the demo participant's start page, and the report shared
with the client (used by demo/firm.py)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bollplank.engagements.models import Engagement
from bollplank.evaluations import services
from bollplank.evaluations.enums import Phase, Scale
from bollplank.evaluations.models import Invitation, Questionnaire, Round
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting


def _answer_everyone(now: dt.datetime, rnd: Round, rng: random.Random, level: int) -> None:
    questions = list(rnd.questionnaire.questions.all())
    for inv in Invitation.objects.filter(round=rnd).select_related("participant", "round"):
        data: dict[int, Any] = {}
        for q in questions:
            if q.scale == Scale.LINE10:
                data[q.pk] = max(0, min(10, level + rng.randint(-2, 1)))
            elif q.scale == Scale.AGREE5:
                data[q.pk] = max(1, min(5, level // 2 + rng.randint(-1, 1)))
            elif q.scale == Scale.YESNO:
                data[q.pk] = int(rng.random() < 0.8)
        services.response_submit(invitation=inv, user=None, data=data, now=now)


def _as_history(rnd: Round, sent: dt.datetime) -> None:
    """The demo is built today: move a round's dates back to when it would have run."""
    Round.objects.filter(pk=rnd.pk).update(
        send_on=sent, sent_at=sent, closes_at=sent + dt.timedelta(days=7)
    )


def demo_evaluations(*, engagement: Engagement, now: dt.datetime, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311  (demo data, not secrets)
    actor = engagement.supervisor
    held = list(
        Meeting.objects.filter(
            engagement=engagement, ends_at__lte=now, status=MeetingStatus.PLANNED
        ).order_by("-starts_at")[:5]
    )
    held.reverse()
    if len(held) < 2:
        return
    for i, meeting in enumerate(held[:-1]):
        rnd = services.after_meeting_send(actor=actor, meeting=meeting, anonymous=True, now=now)
        _answer_everyone(now, rnd, rng, level=6 + i)
        _as_history(rnd, meeting.ends_at)
    evaluation = Questionnaire.shipped.get(key="engagement-evaluation")
    midpoint = services.round_create(
        actor=actor,
        engagement=engagement,
        questionnaire=evaluation,
        phase=Phase.MIDPOINT,
        anonymous=True,
        send_on=now,
        closes_at=now + dt.timedelta(days=7),
        now=now,
    )
    _answer_everyone(now, midpoint, rng, level=8)
    _as_history(midpoint, held[-2].ends_at)
    # The latest meeting's check is still open: it waits on the participants' start pages.
    services.after_meeting_send(actor=actor, meeting=held[-1], anonymous=True, now=now)
    engagement.refresh_from_db()
    services.report_share(actor=actor, engagement=engagement)
