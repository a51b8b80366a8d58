"""Cancelling a meeting: who caused it, why, and what it costs.

Only a late cancellation caused by the client side (a participant or the client contact) falls
under the engagement's terms; the supervisor's or the practice's never does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.meetings.enums import BILLABLE_CAUSES, CancelledBy, MeetingStatus
from bollplank.meetings.models import MAX_REASON, Meeting
from bollplank.meetings.signals import meeting_changed
from bollplank.meetings.terms import late_share


@dataclass(frozen=True)
class Consequence:
    """What a cancellation made now by ``cancelled_by`` comes to."""

    late: bool
    share: int
    cancelled_by: str

    @property
    def billable(self) -> bool:
        return self.late and self.share > 0 and self.cancelled_by in BILLABLE_CAUSES

    @property
    def offers_replacement(self) -> bool:
        """The supervisor's or the practice's cancellation owes the client another time."""
        return self.cancelled_by in {CancelledBy.SUPERVISOR, CancelledBy.PRACTICE}


def is_late(meeting: Meeting, now: dt.datetime) -> bool:
    """Inside the practice's notice period."""
    return meeting.starts_at - now < dt.timedelta(hours=meeting.practice.late_cancellation_hours)


def cancellation_consequence(
    meeting: Meeting, cancelled_by: str, now: dt.datetime | None = None
) -> Consequence:
    """What cancelling ``meeting`` now would cost the client, named before anyone confirms."""
    late = is_late(meeting, now or clock.now())
    share = late_share(meeting.engagement) if late else 0
    return Consequence(late=late, share=share, cancelled_by=cancelled_by)


def check_cause(cancelled_by: str, reason: str) -> str:
    """The reason, tidied; refuses an unknown cause and a missing or overlong reason."""
    errors: dict[str, str] = {}
    if cancelled_by not in CancelledBy.values:
        errors["cancelled_by"] = _("Say who cancelled the meeting.")
    try:
        reason = check_reason(reason, _("Give the reason for the cancellation."))
    except ValidationError as exc:
        errors["reason"] = exc.messages[0]
    if errors:
        raise ValidationError(errors, code="bad_cancellation")
    return reason


def check_reason(reason: str, missing: str) -> str:
    """A required reason, tidied and at most MAX_REASON characters long."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = missing
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("The reason can be at most %(max)d characters.") % {"max": MAX_REASON}
    if errors:
        raise ValidationError(errors, code="bad_cancellation")
    return reason


@transaction.atomic
def meeting_cancel(
    *,
    actor: Any,
    meeting: Meeting,
    cancelled_by: str,
    reason: str,
    now: dt.datetime | None = None,
) -> Meeting:
    """Cancel a meeting that is still ahead, recording who caused it and why. Inside the
    practice's notice period it is flagged late; whether that is charged follows the cause."""
    reason = check_cause(cancelled_by, reason)
    # Locked until the transaction ends: a move and a cancellation made at the same moment
    # must not undo each other.
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("engagement", "practice")
        .get(pk=meeting.pk)
    )
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is already cancelled."), code="already_cancelled")
    now = now or clock.now()
    if meeting.ends_at <= now:
        raise ValidationError(
            _("The meeting has already taken place and cannot be cancelled."), code="in_past"
        )
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.late_cancellation = is_late(meeting, now)
    meeting.cancelled_by = cancelled_by
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.save()
    # The reason is the user's own text: it stays out of the audit data.
    audit(
        actor,
        "meetings.meeting.cancelled",
        meeting,
        {"late": meeting.late_cancellation, "cancelled_by": cancelled_by},
    )
    meeting_changed.send(sender=Meeting, meeting=meeting, change="cancelled", actor=actor, now=now)
    return meeting
