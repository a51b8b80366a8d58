"""Meetings, attendance and calendar links (core/personal_data_registry.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from bollplank.core.personal_data_registry import Category, register
from bollplank.meetings.models import Attendance, CalendarFeed, Meeting


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "meetings_led": [
                {
                    "practice": m.practice.name,
                    "engagement": str(m.engagement),
                    "starts": m.starts_at,
                }
                for m in Meeting.objects.filter(supervisor=user).select_related(
                    "practice", "engagement"
                )
            ],
            "attendance": [
                {
                    "meeting": str(a.meeting),
                    "starts": a.meeting.starts_at,
                    "status": a.get_status_display(),
                }
                for a in Attendance.objects.filter(participant__user=user).select_related(
                    "meeting", "meeting__engagement"
                )
            ],
            "calendar_links": [
                {"created": f.created_at, "revoked": f.revoked_at, "last_used": f.last_used_at}
                for f in CalendarFeed.objects.filter(user=user)
            ],
        }
    ]


def _erase(user: Any) -> int:
    # Meetings and attendance stay (the client's counts, issued invoices); the row they point
    # at is pseudonymized. Calendar links are the person's own and go.
    return CalendarFeed.objects.filter(user=user).delete()[0]


register(
    Category(
        key="meetings.meetings",
        label=gettext_lazy("meetings, attendance and calendar links"),
        purpose=gettext_lazy("to plan and hold supervision, and to count attendance"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("supervisors and participants"),
        recipients=gettext_lazy("the supervisor and the group; the client sees counts only"),
        export=_export,
        erase=_erase,
        erasure=gettext_lazy(
            "Calendar links are removed; meetings and attendance stay for the client's counts "
            "and invoices."
        ),
    )
)
