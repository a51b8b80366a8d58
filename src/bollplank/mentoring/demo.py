"""A demo mentoring programme: 40 mentors and 60 mentees of a region, signed up through the same
service as the public form (used by the demo firm and by tests)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bollplank.core.models import Practice
from bollplank.mentoring.enums import AVAILABILITY, Side
from bollplank.mentoring.models import Programme
from bollplank.mentoring.services import programme_save, signup_create

FIRST = [
    "Anna",
    "Björn",
    "Cecilia",
    "David",
    "Elin",
    "Fredrik",
    "Greta",
    "Hassan",
    "Ida",
    "Johan",
    "Karin",
    "Leila",
    "Magnus",
    "Nora",
    "Oskar",
    "Petra",
    "Rami",
    "Sara",
    "Tomas",
    "Ulla",
    "Viktor",
    "Wilma",
    "Yusuf",
    "Åsa",
    "Örjan",
]
LAST = [
    "Andersson",
    "Berg",
    "Carlsson",
    "Dahl",
    "Ek",
    "Forsberg",
    "Gustafsson",
    "Holm",
    "Isaksson",
    "Jansson",
    "Korhonen",
    "Lind",
    "Mattsson",
    "Nyström",
    "Olsson",
    "Persson",
    "Sandberg",
    "Virtanen",
    "Wallin",
    "Öberg",
]
UNITS = [
    "Socialtjänsten",
    "Skolförvaltningen",
    "Äldreomsorgen",
    "Kultur och fritid",
    "Samhällsbyggnad",
    "HR-avdelningen",
    "Ekonomiavdelningen",
    "Funktionsstöd",
]
TOPICS = [
    "ledarskap",
    "konflikthantering",
    "budget",
    "rekrytering",
    "arbetsmiljö",
    "förändringsledning",
    "digitalisering",
    "kommunikation",
    "verksamhetsutveckling",
    "juridik",
]
GOALS = ["nätverk", "karriär", "trygghet i rollen", "balans i livet", "nya perspektiv"]
LANGUAGES = ["svenska", "engelska", "finska", "arabiska"]
PLACES = ["Umeå", "Skellefteå", "Luleå", "Piteå"]
ROLES = ["enhetschef", "samordnare", "handläggare", "rektor", "controller", "projektledare"]


def demo_programme(
    *,
    practice: Practice,
    actor: Any,
    today: dt.date,
    mentors: int = 40,
    mentees: int = 60,
    seed: int = 8,
    name: str = "Mentorprogram Region Nord",
    client: Any = None,
) -> Programme:
    """A programme open for sign-up, with `mentors` and `mentees` already signed up."""
    programme = programme_save(
        actor=actor,
        practice=practice,
        name=name,
        description="Ett års mentorskap för nya chefer och specialister i regionen.",
        client=client,
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=395),
        signup_closes_on=today + dt.timedelta(days=14),
        max_mentees=2,
        checkin_every_weeks=6,
        rule_different_unit=True,
        rule_not_manager=True,
        rule_shared_language=True,
        rule_min_years_more=3,
    )
    demo_signups(programme=programme, today=today, mentors=mentors, mentees=mentees, seed=seed)
    return programme


def demo_signups(
    *, programme: Programme, today: dt.date, mentors: int, mentees: int, seed: int = 8
) -> dict[str, str]:
    """Sign up `mentors` and `mentees` with varied profiles; returns e-mail → personal token."""
    rng = random.Random(seed)  # noqa: S311  (demo data, not secrets)
    tokens: dict[str, str] = {}
    people: list[tuple[str, str]] = []
    used: set[str] = set()
    while len(people) < mentors + mentees:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}@region-nord.se".lower()
        email = email.replace("å", "a").replace("ä", "a").replace("ö", "o")
        if email in used:
            continue
        used.add(email)
        people.append((f"{first} {last}", email))
    codes = [code for code, _label in AVAILABILITY]
    mentor_emails = [email for _n, email in people[:mentors]]
    for index, (full_name, email) in enumerate(people):
        side = Side.MENTOR if index < mentors else Side.MENTEE
        is_mentor = side == Side.MENTOR
        _signup, tokens[email] = signup_create(
            programme=programme,
            today=today,
            side=side,
            name=full_name,
            email=email,
            unit=rng.choice(UNITS),
            role_title=rng.choice(ROLES),
            # Some mentees report to a mentor: the manager rule must keep them apart.
            manager_email=rng.choice(mentor_emails) if not is_mentor and rng.random() < 0.1 else "",
            years=rng.randint(8, 30) if is_mentor else rng.randint(0, 8),
            topics=", ".join(rng.sample(TOPICS, rng.randint(2, 4))),
            goals=", ".join(rng.sample(GOALS, 2)),
            languages=", ".join(
                ["svenska"] + ([rng.choice(LANGUAGES[1:])] if rng.random() < 0.4 else [])
            )
            if rng.random() < 0.95
            else rng.choice(LANGUAGES[1:]),
            location=rng.choice(PLACES),
            availability=rng.sample(codes, rng.randint(2, 5)),
            capacity=rng.choice([1, 1, 2]) if is_mentor else 1,
            free_text="",
        )
    return tokens
