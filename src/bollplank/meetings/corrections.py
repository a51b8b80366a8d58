"""The past of meetings: recording one already held (with its attendance), and correcting a
held one. History changes only by an explicit, audited act.

A held meeting is neither moved nor cancelled (meetings.services). When its recorded time was
wrong, the supervisor or an admin corrects it here; billing hears of it (held_meeting_corrected)
and credits any invoice line made at the old time, so that the next run invoices the new one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.timeutils import after, make_local
from bollplank.engagements.models import Engagement
from bollplank.engagements.selectors import members_on
from bollplank.meetings.cancellations import check_reason
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Attendance, Meeting
from bollplank.meetings.services import (
    check_plannable,
    first_conflict,
    lock_supervisor,
    new_meeting,
)
from bollplank.meetings.signals import held_meeting_corrected


@transaction.atomic
def meeting_correct(
    *,
    actor: Any,
    meeting: Meeting,
    day: dt.date,
    time: dt.time,
    minutes: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Meeting:
    """Correct the recorded time of a held meeting. The corrected time is in the past too (a
    correction does not turn history into a plan), inside the engagement's period and free of
    the supervisor's other meetings. Audited with the old and new times; the reason is the
    user's own text, so it is kept on the meeting, not in the audit data."""
    reason = check_reason(reason, _("Give the reason for the correction."))
    now = now or clock.now()
    lock_supervisor(meeting.engagement)
    meeting = (
        Meeting.objects.select_for_update()
        .select_related("engagement", "practice")
        .get(pk=meeting.pk)
    )
    if not meeting.is_held:
        raise ValidationError(
            _("Only a meeting that has been held can be corrected; move or cancel the others."),
            code="not_held",
        )
    starts_at = make_local(day, time, meeting.practice.timezone).astimezone(dt.UTC)
    ends_at = after(starts_at, minutes)
    if ends_at > now:
        raise ValidationError(
            {"day": _("A held meeting is corrected to a time that has passed.")}, code="future"
        )
    engagement = meeting.engagement
    if not engagement.start_date <= day <= engagement.end_date:
        raise ValidationError(
            {"day": _("The date is outside the engagement's period.")}, code="outside_period"
        )
    conflict = first_conflict(
        practice=meeting.practice,
        supervisor=meeting.supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_pk=meeting.pk,
    )
    if conflict is not None:
        raise ValidationError(
            {"time": _("The supervisor has another meeting at that time.")}, code="double_booking"
        )
    before = (meeting.starts_at, meeting.ends_at)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.correction_reason = reason
    meeting.corrected_at = now
    meeting.sequence += 1
    meeting.full_clean(exclude=["uid"])
    meeting.save()
    audit(
        actor,
        "meetings.meeting.corrected",
        meeting,
        {
            "from": timezone.localtime(before[0]).isoformat(),
            "to": timezone.localtime(starts_at).isoformat(),
            "minutes": minutes,
        },
    )
    held_meeting_corrected.send(sender=Meeting, meeting=meeting, actor=actor, before=before)
    return meeting


@transaction.atomic
def meeting_record_held(
    *,
    actor: Any,
    engagement: Engagement,
    day: dt.date,
    time: dt.time,
    minutes: int | None = None,
    focus: str = "",
    attendance: dict[int, str],
    now: dt.datetime | None = None,
) -> Meeting:
    """Record a meeting that has already been held, with the attendance of everyone in the
    group that day: the only way a meeting enters the past (planning refuses it), so that
    nothing counts as held, or is invoiced, without anyone having said who was there."""
    now = now or clock.now()
    check_plannable(engagement, day)
    lock_supervisor(engagement)
    starts_at = make_local(day, time, engagement.practice.timezone).astimezone(dt.UTC)
    ends_at = after(starts_at, minutes or engagement.meeting_minutes)
    if ends_at > now:
        raise ValidationError(
            {"day": _("The meeting has not ended yet: plan it instead of recording it as held.")},
            code="not_over",
        )
    members = {m.participant_id: m.participant.name for m in members_on(engagement, day)}
    missing = sorted(name for pk, name in members.items() if pk not in attendance)
    if missing:
        raise ValidationError(
            _("Record the attendance of everyone in the group that day: %(names)s.")
            % {"names": ", ".join(missing)},
            code="attendance_missing",
        )
    if set(attendance) - set(members):
        raise ValidationError(_("That person is not in this group."), code="not_member")
    if set(attendance.values()) - set(AttendanceStatus.values):
        raise ValidationError(_("Unknown attendance status."), code="bad_status")
    conflict = first_conflict(
        practice=engagement.practice,
        supervisor=engagement.supervisor,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if conflict is not None:
        raise ValidationError(
            {"time": _("The supervisor has another meeting at that time.")}, code="double_booking"
        )
    meeting = new_meeting(engagement, starts_at, ends_at, focus)
    meeting.save()
    Attendance.objects.bulk_create(
        Attendance(practice=engagement.practice, meeting=meeting, participant_id=pk, status=status)
        for pk, status in attendance.items()
    )
    audit(actor, "meetings.meeting.recorded_held", meeting, {"attendance": len(attendance)})
    return meeting
