"""Booking (core/personal_data_registry.py): a supervisor's booking rules, open hours and outside
calendars (only busy intervals are stored: never titles, places or who takes part), the
booking links they send, and a visitor's first talks and links, found by e-mail address."""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bollplank.booking.models import (
    AvailabilityException,
    BookingLink,
    BookingSettings,
    BusyInterval,
    FirstTalk,
    FirstTalkStatus,
    OutsideCalendar,
    WeeklyHours,
)
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.personal_data_registry import Category, register

WITHHELD = "[withheld: only the person downloads this, from their own page]"


def _export_supervisor(user: Any, confidential: bool) -> list[dict[str, Any]]:
    """The supervisor's own booking data (one row, parts inside)."""
    calendars = list(OutsideCalendar.objects.filter(supervisor=user).select_related("practice"))
    if not (
        calendars
        or BookingSettings.objects.filter(supervisor=user).exists()
        or WeeklyHours.objects.filter(supervisor=user).exists()
        or BookingLink.objects.filter(created_by=user).exists()
    ):
        return []
    return [
        {
            "settings": [
                {
                    "practice": s.practice.name,
                    "notice_hours": s.notice_hours,
                    "horizon_days": s.horizon_days,
                    "buffer_minutes": s.buffer_minutes,
                    "travel_minutes": s.travel_minutes,
                }
                for s in BookingSettings.objects.filter(supervisor=user).select_related("practice")
            ],
            "weekly_hours": [
                {
                    "weekday": w.get_weekday_display(),
                    "from": w.start,
                    "to": w.end,
                    "place": w.get_place_display(),
                }
                for w in WeeklyHours.objects.filter(supervisor=user)
            ],
            "exceptions": [
                {"open": e.is_open, "from": e.first_day, "to": e.last_day}
                for e in AvailabilityException.objects.filter(supervisor=user)
            ],
            "outside_calendars": [
                {
                    "practice": c.practice.name,
                    "name": c.name,
                    # The subscription address holds a secret of the outside calendar.
                    "address": c.url if confidential else WITHHELD,
                    "last_read": c.last_success_at,
                    "busy": [
                        {"from": b.starts_at, "to": b.ends_at}
                        for b in BusyInterval.objects.filter(calendar=c).order_by("starts_at")
                    ],
                }
                for c in calendars
            ],
            "links_sent": [
                {
                    "for_whom": link.label,
                    "created": link.created_at,
                    "expires": link.expires_at,
                    "used": link.used_at,
                }
                for link in BookingLink.objects.filter(created_by=user)
            ],
        }
    ]


def _export_visitor(user: Any, confidential: bool) -> list[dict[str, Any]]:
    """First talks and links addressed to the person (a visitor has no login)."""
    return [
        {
            "practice": t.practice.name,
            "first_talk": t.starts_at,
            "ends": t.ends_at,
            "place": t.get_place_display(),
            "status": t.get_status_display(),
            "name": t.name,
            "email": t.email,
        }
        for t in FirstTalk.objects.filter(email__iexact=user.email).select_related("practice")
    ] + [
        {"booking_link_for": link.label, "created": link.created_at, "used": link.used_at}
        for link in BookingLink.objects.filter(email__iexact=user.email)
    ]


def _erase_supervisor(user: Any) -> int:
    """Calendars (with their busy intervals), open hours, exceptions and rules go; links not
    yet used stop working and go. Used links stay with the meeting they booked."""
    count = OutsideCalendar.objects.filter(supervisor=user).delete()[0]
    count += WeeklyHours.objects.filter(supervisor=user).delete()[0]
    count += AvailabilityException.objects.filter(supervisor=user).delete()[0]
    count += BookingSettings.objects.filter(supervisor=user).delete()[0]
    count += BookingLink.objects.filter(created_by=user, used_at__isnull=True).delete()[0]
    return count


def _erase_visitor(user: Any) -> int:
    """A first talk still ahead is cancelled (it would otherwise stay booked, and be mailed
    about, with no one to come); every talk and link then stays without name or address."""
    count = 0
    now = clock.now()
    ahead = FirstTalk.objects.filter(
        email__iexact=user.email, status=FirstTalkStatus.PLANNED, starts_at__gt=now
    )
    for talk in ahead:
        talk.status = FirstTalkStatus.CANCELLED
        talk.cancelled_at = now
        talk.sequence += 1
        talk.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        audit(None, "booking.first_talk.cancelled", talk, {"erased": True})
    for talk in FirstTalk.objects.filter(email__iexact=user.email):
        talk.name = _("Erased person")
        talk.email = f"erased-first-talk-{talk.pk}@invalid.invalid"
        talk.save(update_fields=["name", "email", "updated_at"])
        count += 1
    for link in BookingLink.objects.filter(email__iexact=user.email):
        link.label = _("Erased person")
        link.email = ""
        link.token_hash = secrets.token_hex(32)
        if link.used_at is None:
            link.expires_at = clock.now()
        link.save(update_fields=["label", "email", "token_hash", "expires_at"])
        count += 1
    return count


def _count_supervisor(user: Any) -> int:
    return (
        OutsideCalendar.objects.filter(supervisor=user).count()
        + WeeklyHours.objects.filter(supervisor=user).count()
        + AvailabilityException.objects.filter(supervisor=user).count()
        + BookingSettings.objects.filter(supervisor=user).count()
        + BookingLink.objects.filter(created_by=user, used_at__isnull=True).count()
    )


def _practices(user: Any) -> set[int]:
    found: set[int] = set()
    for model in (OutsideCalendar, WeeklyHours, AvailabilityException, BookingSettings):
        found |= set(model.objects.filter(supervisor=user).values_list("practice_id", flat=True))
    return found | _visitor_practices(user)


def _visitor_practices(user: Any) -> set[int]:
    return set(
        FirstTalk.objects.filter(email__iexact=user.email).values_list("practice_id", flat=True)
    ) | set(
        BookingLink.objects.filter(Q(email__iexact=user.email)).values_list(
            "practice_id", flat=True
        )
    )


register(
    Category(
        key="booking.supervisor",
        label=gettext_lazy("booking rules, open hours and outside calendars"),
        purpose=gettext_lazy("to offer free times that do not clash with the supervisor's day"),
        legal_basis=gettext_lazy("legitimate interest (Art. 6.1 f)"),
        subjects=gettext_lazy("supervisors"),
        recipients=gettext_lazy(
            "the practice; people booking see free times only, never why a time is busy"
        ),
        export=_export_supervisor,
        erase=_erase_supervisor,
        count=_count_supervisor,
        practices=_practices,
        erasure=gettext_lazy(
            "Removed: outside calendars with their busy times, open hours, rules and unused "
            "booking links."
        ),
    )
)
register(
    Category(
        key="booking.visitors",
        label=gettext_lazy("first talks and booking links"),
        purpose=gettext_lazy("to let someone without a login book a time"),
        legal_basis=gettext_lazy("consent and steps before a contract (Art. 6.1 a, b)"),
        subjects=gettext_lazy("people who book through a link"),
        recipients=gettext_lazy("the supervisor and the practice"),
        export=_export_visitor,
        erase=_erase_visitor,
        practices=_visitor_practices,
        by_address=True,
        erasure=gettext_lazy(
            "First talks still ahead are cancelled; the rest are kept without name or address "
            "(the supervisor's calendar keeps the time); links stop working."
        ),
    )
)
