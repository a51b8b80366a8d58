"""Small builders for the mentoring tests and the permission matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.mentoring import services
from bollplank.mentoring.demo import demo_programme
from bollplank.mentoring.models import Programme, SignUp


def programme(w: Any, **extra: Any) -> Programme:
    today = clock.today()
    fields: dict[str, Any] = {
        "name": "Mentorprogram Solbacka",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=300),
        "signup_closes_on": today + dt.timedelta(days=10),
        "rule_min_years_more": None,
        **extra,
    }
    with scope(practice=w.practice):
        return services.programme_save(actor=w.admin, practice=w.practice, **fields)


def sign_up(p: Programme, side: str, name: str, **extra: Any) -> tuple[SignUp, str]:
    fields: dict[str, Any] = {
        "side": side,
        "name": name,
        "email": extra.pop("email", f"{name.lower().replace(' ', '.')}@x.se"),
        "languages": "svenska",
        "capacity": 1,
        **extra,
    }
    with scope(practice=p.practice):
        return services.signup_create(programme=p, **fields)


def demo(w: Any, mentors: int = 4, mentees: int = 6, **programme: Any) -> Programme:
    """The demo sign-ups in a programme (``programme``: e.g. client= and name=)."""
    with scope(practice=w.practice):
        return demo_programme(
            practice=w.practice,
            actor=w.admin,
            today=clock.today(),
            mentors=mentors,
            mentees=mentees,
            **programme,
        )


def programme_pk(w: Any) -> int:
    return programme(w).pk


def signup_token(w: Any) -> str:
    with scopes_disabled():
        existing = Programme.objects.filter(practice=w.practice).first()
    return (existing or programme(w)).signup_token


def me_token(w: Any) -> str:
    p = programme(w, name="Matris")
    _s, token = sign_up(p, "mentee", "Mia Matris")
    return token


def client_programme_pk(w: Any) -> int:
    """A programme run for the world's client, whose contact is Rektor Rut."""
    return programme(w, name="Solbackas program", client=w.client).pk


def other_client_programme_pk(w: Any) -> int:
    """A programme run for another client of the same practice."""
    from tests import factories as f

    with scope(practice=w.practice):
        other = f.ClientFactory(practice=w.practice, name="Ekby vårdcentral")
    return programme(w, name="Vårdcentralens program", client=other).pk
