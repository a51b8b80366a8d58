"""The terms an agreement states, taken from the engagement, its price and the practice's
notice period, as plain data: the snapshot a version keeps and compares with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bollplank.billing.enums import LateCancellation, PriceModel, Travel, VatCategory
from bollplank.billing.services import price_of
from bollplank.engagements.enums import AttendanceVisibility, Focus, Form, Venue
from bollplank.engagements.models import Engagement
from bollplank.evaluations.enums import MIN_GROUP


def terms_of(engagement: Engagement) -> dict[str, Any]:
    """The engagement's terms now. Two snapshots that are equal state the same agreement, so
    everything the document prints is here and nothing else is."""
    price = price_of(engagement)
    client = engagement.client
    return {
        "practice": engagement.practice.name,
        "supervisor": engagement.supervisor.name,
        "client": client.name,
        "client_org_number": client.org_number,
        "title": engagement.title,
        "form": engagement.form,
        "focus": engagement.focus,
        "meeting_minutes": engagement.meeting_minutes,
        "meetings_ordered": engagement.meetings_ordered,
        "start_date": engagement.start_date.isoformat(),
        "end_date": engagement.end_date.isoformat(),
        "venue": engagement.venue,
        "place": engagement.location_text,
        "price_model": price.model,
        "price_ore": price.amount_ore,
        "vat": price.vat_category,
        "travel": price.travel,
        "travel_ore": price.travel_amount_ore if price.travel != Travel.NONE else 0,
        "travel_km": str(price.travel_km) if price.travel == Travel.KM else "",
        "notice_hours": engagement.practice.late_cancellation_hours,
        "late_cancellation": price.late_cancellation,
        "late_cancellation_percent": (
            price.late_cancellation_percent
            if price.late_cancellation == LateCancellation.PART
            else None
        ),
        "attendance": engagement.attendance_visibility,
        "evaluation_min_answers": MIN_GROUP,
    }


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def terms_for_display(terms: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with its codes as words in the active language, for the document and the
    page (render inside the language's override)."""
    minutes = terms["meeting_minutes"] * terms["meetings_ordered"]
    return {
        **terms,
        "form_label": _label(Form, terms["form"]),
        "focus_label": _label(Focus, terms["focus"]),
        "venue_label": _label(Venue, terms["venue"]),
        "hours_ordered": round(minutes / 60, 1),
        "start": dt.date.fromisoformat(terms["start_date"]),
        "end": dt.date.fromisoformat(terms["end_date"]),
        "price_model_label": _label(PriceModel, terms["price_model"]),
        "vat_label": _label(VatCategory, terms["vat"]),
        "travel_label": _label(Travel, terms["travel"]),
        "late_label": _label(LateCancellation, terms["late_cancellation"]),
        "late_in_part": terms["late_cancellation"] == LateCancellation.PART,
        "late_free": terms["late_cancellation"] == LateCancellation.NONE,
        "attendance_nothing": terms["attendance"] == AttendanceVisibility.NOTHING,
        "attendance_per_meeting": terms["attendance"] == AttendanceVisibility.PER_MEETING,
        "travel_km_charge": terms["travel"] == Travel.KM,
        "travel_fixed": terms["travel"] == Travel.FIXED,
    }
