"""The certificate of signed-off supervision hours as a document: the practice's letterhead,
the supervisor's qualifications, the days of the meetings attended, a signature line and a
code that the site's verification page confirms."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from bollplank.core.documents import letterhead, qualifications, verification_code
from bollplank.evaluations.models import HoursSignoff
from bollplank.meetings.enums import AttendanceStatus, MeetingStatus
from bollplank.meetings.models import Attendance


def signoff_meeting_days(signoff: HoursSignoff) -> list[dt.date]:
    """The days of the held meetings the participant was present at, within the signed period."""
    tz = ZoneInfo(signoff.practice.timezone)
    starts = Attendance.objects.filter(
        meeting__engagement_id=signoff.engagement_id,
        meeting__status=MeetingStatus.PLANNED,
        meeting__ends_at__lte=signoff.signed_at,
        participant_id=signoff.participant_id,
        status=AttendanceStatus.PRESENT,
    ).values_list("meeting__starts_at", flat=True)
    days = sorted(s.astimezone(tz).date() for s in starts)
    first = signoff.first_day or dt.date.min
    return [d for d in days if first <= d <= signoff.through]


def hours_certificate_html(signoff: HoursSignoff) -> str:
    practice = signoff.practice
    code = verification_code("hours", signoff.pk)
    return render_to_string(
        "evaluations/certificate_document.html",
        {
            "s": signoff,
            "practice": practice,
            "head": letterhead(practice),
            "qualifications": qualifications(practice, signoff.signed_by),
            "days": signoff_meeting_days(signoff),
            "code": code,
            "verify_url": settings.SITE_URL + reverse("certificate_verify", args=[code]),
        },
    )


def hours_certificate_pdf(signoff: HoursSignoff) -> bytes:
    from weasyprint import HTML  # late: loads Pango, which the web pages never need

    return HTML(string=hours_certificate_html(signoff), base_url=None).write_pdf()
