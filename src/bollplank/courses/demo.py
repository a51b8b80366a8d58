"""The demo firm's course: two days on collegial group supervision three weeks ahead, nearly
full (one place left), built through the services like the rest of the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bollplank.core.models import Practice
from bollplank.courses.models import Course
from bollplank.courses.services import DayInput, course_save, registration_create

DEMO_COURSE_TITLE = "Kollegial grupphandledning – två dagar"
REGISTRANTS = [
    ("Lena Holm", "Björkskolan, Ekby kommun", "2120004706", "BJK-4410"),
    ("Per Nyström", "Björkskolan, Ekby kommun", "2120004706", "BJK-4410"),
    ("Sara Berg", "Socialtjänsten, Ekby kommun", "2120004706", "SOC-200"),
    ("Ali Rahimi", "Socialtjänsten, Ekby kommun", "2120004706", "SOC-200"),
    ("Maja Lund", "Region Västmanland", "2321000198", "RV-77"),
    ("Erik Sjöberg", "Region Västmanland", "2321000198", "RV-77"),
    ("Hanna Ek", "Region Västmanland", "2321000198", "RV-77"),
    ("Jonas Wall", "Lärkans förskola", "", ""),
    ("Fatima Ali", "Lärkans förskola", "", ""),
    ("Oskar Lind", "Vårdcentralen Norr", "", ""),
    ("Elin Strand", "Vårdcentralen Norr", "", ""),
]


def _email(name: str) -> str:
    first, last = name.lower().split(" ", 1)
    table = str.maketrans("åäöé", "aaoe")
    return f"{first.translate(table)}.{last.translate(table)}@example.se"


def demo_courses(practice: Practice, leader: Any, today: dt.date) -> Course:
    """One upcoming published course with 12 places and 11 registrations."""
    first = today + dt.timedelta(days=21)
    while first.weekday() >= 4:  # Monday–Thursday, so the second day is a weekday too
        first += dt.timedelta(days=1)
    course = course_save(
        actor=leader,
        practice=practice,
        days=[
            DayInput(first, dt.time(9), dt.time(16)),
            DayInput(first + dt.timedelta(days=1), dt.time(9), dt.time(15, 30)),
        ],
        title=DEMO_COURSE_TITLE,
        description=(
            "Två dagar om att leda kollegial grupphandledning: samtalsmodeller, roller i "
            "gruppen, att hålla tiden och att avsluta. Vi varvar korta genomgångar med "
            "övningar i små grupper."
        ),
        audience="Chefer, arbetsledare och erfarna medarbetare som ska leda kollegiala samtal.",
        place="Ekbackens lokaler, Ekbackevägen 7, Enköping",
        price_ore=650000,
        vat_category="E",
        capacity=12,
        last_registration_day=first - dt.timedelta(days=7),
        published=True,
        leader=leader,
    )
    for name, organization, number, reference in REGISTRANTS:
        registration_create(
            course=course,
            today=today,
            notify=False,
            name=name,
            email=_email(name),
            organization=organization,
            org_number=number,
            invoice_street="Box 1",
            invoice_postal_code="745 80",
            invoice_city="Enköping",
            invoice_reference=reference,
            dietary_needs="",
        )
    return course
