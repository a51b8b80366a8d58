"""The recommendation: supervisors ranked by fit for an inquiry, with the reasons shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.directory.selectors import supervisors_ranked
from tests import factories as f
from tests.directory.helpers import inquiry, profile

pytestmark = pytest.mark.django_db


def _ranked(q):
    with scopes_disabled():
        return supervisors_ranked(q)


def test_sector_language_and_form_decide_the_order(world):
    # Siv: school, Swedish and English, groups. Olle: social services, only Swedish, individual.
    profile(world.practice, world.supervisor)
    profile(
        world.practice,
        world.other_supervisor,
        sectors=["social_services"],
        languages=["sv"],
        forms=["individual"],
        premises_city="Uppsala",
        travels=False,
    )
    q = inquiry(world.practice, language="en", sector="school", form="group")
    rows = _ranked(q)
    assert [r.user for r in rows] == [world.supervisor, world.other_supervisor]
    assert [r.rank for r in rows] == [1, 2]
    siv, olle = ([x.text for x in r.reasons] for r in rows)
    assert "Har arbetat inom skola." in siv
    assert "Talar engelska." in siv
    assert "Erbjuder handledning i formen grupp." in siv
    assert "Finns i Stockholm." in siv
    assert "Ingen erfarenhet av skola angiven." in olle
    assert "Anger inte engelska bland språken." in olle
    assert "Erbjuder inte handledning i formen grupp." in olle
    assert "Reser inte till uppdragsgivare." in olle
    assert rows[0].score > rows[1].score


def test_a_full_calendar_lowers_the_rank(world):
    # Equal profiles; Siv's calendar is full in the wished period, Olle's is empty.
    profile(world.practice, world.supervisor, weekly_hours=4)
    profile(world.practice, world.other_supervisor, weekly_hours=4)
    start = clock.today() + dt.timedelta(days=14)
    for week in range(4):
        day = start + dt.timedelta(weeks=week, days=1)
        begins = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
        f.MeetingFactory(
            engagement=world.engagement, starts_at=begins, ends_at=begins + dt.timedelta(hours=4)
        )
    q = inquiry(world.practice, wished_start=start)
    rows = _ranked(q)
    assert [r.user for r in rows] == [world.other_supervisor, world.supervisor]
    texts = [x.text for x in rows[1].reasons]
    assert "För lite ledig tid under den önskade perioden (4 av 4 h i veckan bokade)." in texts
    assert "Ungefär 4 h i veckan ledigt under den önskade perioden (0 av 4 bokade)." in [
        x.text for x in rows[0].reasons
    ]


def test_a_supervisor_without_profile_is_listed_last_with_a_reason(world):
    profile(world.practice, world.supervisor)
    q = inquiry(world.practice)
    rows = _ranked(q)
    assert rows[-1].user == world.other_supervisor
    assert rows[-1].reasons[0].text == "Har inte fyllt i någon profil: inget att jämföra."


def test_only_the_practice_supervisors_are_ranked(world):
    f.member(world.practice, Role.ADMIN, name="Bara Admin", email="ba@ekbacken.se")
    q = inquiry(world.practice)
    names = {r.user.name for r in _ranked(q)}
    assert names == {"Siv Handledare", "Olle Annan"}


def test_the_inquiry_page_shows_the_ranking_and_reasons(client, world):
    profile(world.practice, world.supervisor)
    q = inquiry(world.practice)
    client.force_login(world.admin)
    html = client.get(reverse("inquiry_detail", args=["ekbacken", q.pk])).content.decode()
    assert "Rekommenderade handledare" in html
    assert html.index("Siv Handledare") < html.index("Olle Annan")
    assert "Har arbetat inom skola." in html
    assert "Gör om till uppdragsgivare och uppdrag" in html
