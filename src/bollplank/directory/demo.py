"""The demo firm's public page: published profiles of its three supervisors and a few
inquiries in the inbox, written through the services (called from demo/firm.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bollplank.directory import services

PROFILES: dict[str, dict[str, Any]] = {
    "karin": {
        "profession": "Leg. psykolog",
        "training": "Handledarutbildning, tre terminer, Ersta Sköndal Bräcke högskola",
        "sectors": ["school", "preschool", "health_care"],
        "approach": "Existentiell och integrativ. Jag utgår från gruppens egna erfarenheter och "
        "hjälper er att se fler perspektiv på det som händer i arbetet.",
        "forms": ["individual", "group"],
        "focuses": ["process", "case"],
        "languages": ["sv", "en"],
        "premises_address": "Ekbackevägen 7",
        "premises_city": "Enköping",
        "accessible_entrance": True,
        "offers_video": True,
        "travels": True,
        "travel_km": 60,
        "weekly_hours": 12,
    },
    "johan": {
        "profession": "Socionom, leg. psykoterapeut",
        "training": "Handledarutbildning i psykoterapi, Stockholms universitet",
        "sectors": ["social_services", "prison_probation", "treatment_home"],
        "approach": "Systemiskt och lösningsinriktat; gärna ärendehandledning med en "
        "reflekterande struktur.",
        "forms": ["group"],
        "focuses": ["case"],
        "languages": ["sv"],
        "travels": True,
        "travel_km": 120,
        "weekly_hours": 10,
    },
    "amira": {
        "profession": "Sjuksköterska, fil. mag. i vårdvetenskap",
        "training": "Handledarutbildning, tre terminer, Uppsala universitet",
        "sectors": ["health_care", "psychiatry", "elder_care"],
        "approach": "Processinriktad handledning för vårdlag, med fokus på samarbete och "
        "arbetsglädje.",
        "forms": ["individual", "group"],
        "focuses": ["process"],
        "languages": ["sv", "ar", "en"],
        "premises_address": "Kungsgatan 12",
        "premises_city": "Västerås",
        "accessible_entrance": False,
        "offers_video": True,
        "weekly_hours": 8,
    },
}

INQUIRIES: list[dict[str, Any]] = [
    {
        "organization": "Rönnskolan",
        "sector": "school",
        "form": "group",
        "group_size": 7,
        "focus": "process",
        "place": "client",
        "city": "Enköping",
        "language": "sv",
        "rhythm": "biweekly",
        "message": "Vårt arbetslag i årskurs 7–9 vill ha handledning under vårterminen.",
        "name": "Lena Berg",
        "email": "lena.berg@ronnskolan.example",
        "phone": "0171-55 12 00",
    },
    {
        "organization": "Vårdcentralen Norr",
        "sector": "health_care",
        "form": "individual",
        "focus": "unsure",
        "place": "video",
        "city": "Västerås",
        "language": "en",
        "rhythm": "monthly",
        "message": "A newly appointed unit manager looking for individual supervision.",
        "name": "Sam Nordin",
        "email": "sam.nordin@vcnorr.example",
    },
]


def demo_directory(practice: Any, staff: dict[str, Any], today: dt.date) -> None:
    """Publish the demo firm's page and profiles, and leave two inquiries in its inbox."""
    services.page_update(
        actor=staff["karin"],
        practice=practice,
        published=True,
        intro="Ekbacken handledning är en handledarbyrå i Mälardalen. Vi handleder arbetslag "
        "i skola, vård och socialtjänst, enskilt och i grupp, och ger kurser i kollegial "
        "handledning.",
        city="Enköping",
        contact_email="info@ekbacken.example",
        offers_coaching=True,
        offers_mentoring=False,
        retention_days=90,
    )
    for key, fields in PROFILES.items():
        services.profile_update(actor=staff[key], practice=practice, published=True, **fields)
    for index, fields in enumerate(INQUIRIES):
        services.inquiry_submit(
            practice=practice,
            source="demo",
            wished_start=today + dt.timedelta(weeks=4 + 2 * index),
            **fields,
        )
