"""Set-up shared by the directory's tests and its permission-matrix rows."""

from __future__ import annotations

import io
from typing import Any

from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.directory.models import Inquiry, PracticePage, SupervisorProfile


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def publish(practice: Any, **fields: Any) -> PracticePage:
    with scopes_disabled():
        page, _created = PracticePage.objects.update_or_create(
            practice=practice,
            defaults={"published": True, "intro": "Vi handleder skolor och vård.", **fields},
        )
    return page


def profile(practice: Any, user: Any, **fields: Any) -> SupervisorProfile:
    values: dict[str, Any] = {
        "published": True,
        "profession": "Psykolog",
        "training": "Handledarutbildning, tre terminer, Ersta Sköndal",
        "sectors": ["school", "health_care"],
        "forms": ["individual", "group"],
        "focuses": ["process", "case"],
        "languages": ["sv", "en"],
        "premises_address": "Vasagatan 1",
        "premises_city": "Stockholm",
        "accessible_entrance": True,
        "travels": True,
        "travel_km": 50,
        "weekly_hours": 10,
    }
    values.update(fields)
    with scopes_disabled():
        found, _created = SupervisorProfile.objects.update_or_create(
            practice=practice, user=user, defaults=values
        )
    return found


def inquiry(practice: Any, **fields: Any) -> Inquiry:
    values: dict[str, Any] = {
        "organization": "Solbacka skola",
        "sector": "school",
        "form": "group",
        "group_size": 6,
        "focus": "process",
        "place": "client",
        "city": "Stockholm",
        "language": "sv",
        "rhythm": "biweekly",
        "message": "Vi är ett arbetslag som vill ha handledning.",
        "name": "Rut Rektor",
        "email": "rut@solbacka.se",
        "phone": "08-123 45",
        "consented_at": clock.now(),
        "source": "test",
    }
    values.update(fields)
    with scopes_disabled():
        return Inquiry.objects.create(practice=practice, **values)


def public_world(w: Any) -> dict[str, Any]:
    """The world's practice published, both supervisors with a profile, one with a photo."""
    publish(w.practice)
    a = profile(w.practice, w.supervisor)
    b = profile(w.practice, w.other_supervisor, sectors=["social_services"], languages=["sv"])
    with scopes_disabled():
        a.photo, a.photo_type = png(), "image/png"
        a.save()
    return {"a": a, "b": b}
