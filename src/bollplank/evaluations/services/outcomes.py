"""What an engagement follows over time: the goals and their progress, the hours a participant
has attended (signed off by the supervisor), and sharing the report with the client."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.identity import guard_identity_numbers
from bollplank.engagements.models import Engagement
from bollplank.evaluations.models import (
    Goal,
    GoalProgress,
    GoalRevisit,
    HoursSignoff,
    ReportShare,
)
from bollplank.evaluations.selectors import hours_of
from bollplank.meetings.models import Meeting


def report_share(*, actor: Any, engagement: Engagement) -> ReportShare:
    """Share the engagement's report with the client as it stands now (what the preview shows)."""
    now = clock.now()
    share, _created = ReportShare.objects.update_or_create(
        engagement=engagement,
        defaults={"practice": engagement.practice, "shared_by": actor, "shared_at": now},
    )
    audit(actor, "evaluations.report.shared", engagement, {})
    return share


# --- goals ----------------------------------------------------------------------------------


def goal_create(*, actor: Any, engagement: Engagement, title: str, participant: Any = None) -> Goal:
    """A goal for the group (no participant) or for one participant of the engagement."""
    if (
        participant is not None
        and not engagement.memberships.filter(participant=participant).exists()
    ):
        raise ValidationError({"participant": _("Choose someone in this engagement.")})
    goal = Goal(
        practice=engagement.practice,
        engagement=engagement,
        participant=participant,
        title=title.strip(),
        created_by=actor,
    )
    goal.full_clean()
    goal.save()
    audit(actor, "evaluations.goal.created", goal, {"engagement": engagement.pk})
    return goal


def goal_set_reached(*, actor: Any, goal: Goal, reached: bool) -> Goal:
    goal.reached_on = clock.today() if reached else None
    goal.save(update_fields=["reached_on"])
    audit(actor, "evaluations.goal.reached" if reached else "evaluations.goal.reopened", goal, {})
    return goal


def progress_add(
    *,
    actor: Any,
    goal: Goal,
    rating: int,
    comment: str = "",
    meeting: Meeting | None = None,
    confirmed: bool = False,
) -> GoalProgress:
    """A rating of how far the goal is reached, with a comment. The caller has checked that the
    actor may see the goal; the rating must be 0–10. A comment that looks like it holds an
    identity number needs the writer's confirmation (core.identity)."""
    if not 0 <= rating <= 10:
        raise ValidationError(
            {"rating": _("Choose a value from %(low)s to %(high)s.") % {"low": 0, "high": 10}}
        )
    if meeting is not None and meeting.engagement_id != goal.engagement_id:
        raise ValidationError(_("The meeting belongs to another engagement."))
    guard_identity_numbers({"comment": comment}, confirmed=confirmed)
    progress = GoalProgress(
        practice=goal.practice,
        goal=goal,
        author=actor,
        rating=rating,
        comment=comment.strip(),
        meeting=meeting,
    )
    progress.full_clean()
    progress.save()
    audit(actor, "evaluations.goal.progress", goal, {})
    return progress


def revisits_set(*, actor: Any, engagement: Engagement, meetings: list[Meeting]) -> None:
    """Choose the meetings at which the goals are revisited (replacing the earlier choice)."""
    if any(m.engagement_id != engagement.pk for m in meetings):
        raise ValidationError(_("The meeting belongs to another engagement."))
    with transaction.atomic():
        GoalRevisit.objects.filter(meeting__engagement=engagement).delete()
        GoalRevisit.objects.bulk_create(
            GoalRevisit(practice=engagement.practice, meeting=m) for m in meetings
        )
        audit(actor, "evaluations.goal.revisits", engagement, {"meetings": len(meetings)})


# --- hours ----------------------------------------------------------------------------------


def hours_sign_off(*, actor: Any, engagement: Engagement, participant: Any) -> HoursSignoff:
    """The supervisor confirms the participant's hours so far (present at held meetings)."""
    if engagement.supervisor_id != actor.pk:
        raise ValidationError(_("Only the engagement's supervisor can sign off hours."))
    row = next((r for r in hours_of(engagement) if r.participant.pk == participant.pk), None)
    if row is None:
        raise ValidationError(_("There are no attended meetings to sign off yet."))
    signoff = HoursSignoff.objects.create(
        practice=engagement.practice,
        engagement=engagement,
        participant=participant,
        meetings=row.meetings,
        minutes=row.minutes,
        first_day=row.first_day,
        through=row.last_day or clock.today(),
        signed_by=actor,
        signed_at=clock.now(),
    )
    audit(actor, "evaluations.hours.signed", signoff, {"participant": participant.pk})
    return signoff
