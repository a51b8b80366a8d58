"""Client contacts as programme coordinators: a contact runs every coordinator page of the
programmes run for their own client, and finds no other programme (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from bollplank.mentoring import services
from bollplank.mentoring.models import MatchRun, Pair, PairRule, Programme
from tests import factories as f
from tests.mentoring import helpers as h

P = "ekbacken"


def _url(name, *args):
    return reverse(name, args=[P, *args])


def _programme_post(**extra):
    today = clock.today()
    data = {
        "name": "Mentorskap för nya lärare",
        "starts_on": (today + dt.timedelta(days=30)).isoformat(),
        "ends_on": (today + dt.timedelta(days=300)).isoformat(),
        "signup_closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "max_mentees": "2",
        "checkin_every_weeks": "4",
        "meeting_minutes": "60",
        "rule_different_unit": "on",
        "rule_shared_language": "on",
        "rule_min_years_more": "",
        "weight_expertise": "5",
        "weight_goals": "3",
        "weight_location": "1",
        "weight_availability": "2",
        "weight_preferences": "3",
    }
    data.update(extra)
    return data


def _client_demo(w, mentors=4, mentees=6):
    """The demo sign-ups in a programme run for the world's client."""
    return h.demo(w, mentors, mentees, client=w.client, name="Solbackas mentorprogram")


def test_contact_lists_only_their_own_clients_programmes(client, world):
    mine = h.client_programme_pk(world)
    h.programme_pk(world)
    h.other_client_programme_pk(world)
    client.force_login(world.contact_user)
    response = client.get(_url("mentoring_programmes"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["programmes"]] == [mine]
    body = response.content.decode()
    assert "Solbackas program" in body
    assert "Vårdcentralens program" not in body
    assert "Mentorprogram Solbacka" not in body
    # Staff see all three.
    client.force_login(world.supervisor)
    assert len(client.get(_url("mentoring_programmes")).context["programmes"]) == 3


def test_contact_creates_a_programme_for_their_client_only(client, world):
    with scope(practice=world.practice):
        other = f.ClientFactory(practice=world.practice, name="Ekby vårdcentral")
    client.force_login(world.contact_user)
    page = client.get(_url("mentoring_programme_new"))
    choices = [c for c, _label in page.context["form"].fields["client"].choices if c]
    assert [int(str(c)) for c in choices] == [world.client.pk]
    # Without a client the programme would be the practice's own: refused.
    response = client.post(_url("mentoring_programme_new"), _programme_post())
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    # Another client of the practice is not a choice.
    response = client.post(_url("mentoring_programme_new"), _programme_post(client=other.pk))
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    with scopes_disabled():
        assert not Programme.objects.exists()
    response = client.post(_url("mentoring_programme_new"), _programme_post(client=world.client.pk))
    assert response.status_code == 302
    with scopes_disabled():
        made = Programme.objects.get()
        assert (made.client_id, made.created_by_id) == (world.client.pk, world.contact_user.pk)
        assert AuditEvent.objects.filter(
            action="mentoring.programme.created", actor=world.contact_user
        ).exists()
    assert response["Location"] == _url("mentoring_programme", made.pk)


def test_contact_cannot_move_their_programme_to_another_client(client, world):
    pk = h.client_programme_pk(world)
    with scope(practice=world.practice):
        other = f.ClientFactory(practice=world.practice, name="Ekby vårdcentral")
    client.force_login(world.contact_user)
    response = client.post(
        _url("mentoring_programme_edit", pk), _programme_post(client=other.pk, name="Flyttat")
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert Programme.objects.get(pk=pk).client_id == world.client.pk


def test_contact_matches_locks_forbids_reruns_publishes_and_sees_counts_only(client, world):
    p = _client_demo(world)
    client.force_login(world.contact_user)
    assert client.get(_url("mentoring_signups", p.pk)).status_code == 200
    assert client.post(_url("mentoring_match", p.pk)).status_code == 302
    with scopes_disabled():
        first = MatchRun.objects.get(programme=p)
    assert first.created_by_id == world.contact_user.pk
    (e1, r1, *_), (e2, r2, *_) = first.result["pairs"][:2]
    client.post(_url("mentoring_pair_rule", p.pk), {"mentee": e1, "mentor": r1, "kind": "lock"})
    client.post(_url("mentoring_pair_rule", p.pk), {"mentee": e2, "mentor": r2, "kind": "forbid"})
    with scopes_disabled():
        assert sorted(PairRule.objects.filter(programme=p).values_list("kind", flat=True)) == [
            "forbid",
            "lock",
        ]
    client.post(_url("mentoring_match", p.pk))
    with scopes_disabled():
        second = MatchRun.objects.filter(programme=p).latest()
    made = {(e, r): locked for e, r, _s, _p, locked in second.result["pairs"]}
    assert made[(e1, r1)] is True
    assert (e2, r2) not in made
    assert client.post(_url("mentoring_publish", p.pk)).status_code == 302
    with scopes_disabled():
        pair = Pair.objects.filter(programme=p).select_related("mentee").first()
        assert Pair.objects.filter(programme=p).count() == second.matched
    with scope(practice=world.practice):
        services.response_add(
            signup=pair.mentee, pair=pair, kind="checkin", progress=4, comment="Hemligt svar"
        )
    page = client.get(_url("mentoring_programme", p.pk))
    assert page.context["progress"]["checkins"] == 1
    assert page.context["progress"]["pairs"] == second.matched
    assert "Hemligt svar" not in page.content.decode()


def test_contact_of_another_client_finds_nothing(client, world):
    p = _client_demo(world, mentors=2, mentees=2)
    with scope(practice=world.practice):
        other = f.ClientFactory(practice=world.practice, name="Ekby vårdcentral")
    stranger = f.member(world.practice, Role.CLIENT_CONTACT, name="Vera Vård", email="vera@ekby.se")
    f.ClientContactFactory(practice=world.practice, client=other, user=stranger, name="Vera Vård")
    client.force_login(stranger)
    assert client.get(_url("mentoring_programmes")).context["programmes"] == []
    for name in ("mentoring_programme", "mentoring_programme_edit", "mentoring_signups"):
        assert client.get(_url(name, p.pk)).status_code == 404, name
    for name in ("mentoring_match", "mentoring_publish"):
        assert client.post(_url(name, p.pk)).status_code == 404, name
    with scopes_disabled():
        assert not MatchRun.objects.filter(programme=p).exists()


def test_contact_start_page_and_menu_link_to_mentoring(client, world):
    client.force_login(world.contact_user)
    body = client.get(reverse("client_home", args=[P])).content.decode()
    link = f'href="{_url("mentoring_programmes")}"'
    assert body.count(link) == 2  # the menu and the start page
    assert "Våra mentorprogram" in body


@pytest.mark.parametrize("rows", [1, 3])
def test_contact_programme_list_queries(client, world, rows):
    for i in range(rows):
        p = h.programme(world, name=f"P{i}", client=world.client)
        h.sign_up(p, "mentor", f"M{i}")
    h.programme(world, name="Praktikens eget")
    client.force_login(world.contact_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url("mentoring_programmes"))
    assert len(response.context["programmes"]) == rows
    # session, user, practice and roles + programmes of the contact's clients with their counts
    assert len(ctx.captured_queries) == 4
