"""The mentoring list pages run a fixed number of queries, with 1 row or with 3.

BASE: session, user, practice and roles (tests/test_query_counts.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.mentoring import helpers as h
from tests.test_query_counts import BASE  # session, user, practice and roles


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_programme_list_queries(client, world, rows):
    for i in range(rows):
        p = h.programme(world, name=f"P{i}")
        h.sign_up(p, "mentor", f"M{i}")
    client.force_login(world.supervisor)
    # BASE + programmes with their clients and sign-up counts
    assert _count(client, reverse("mentoring_programmes", args=["ekbacken"])) == BASE + 1


@pytest.mark.parametrize("rows", [1, 3])
def test_signup_list_queries(client, world, rows):
    p = h.programme(world)
    for i in range(rows):
        h.sign_up(p, "mentee", f"E{i}")
    client.force_login(world.supervisor)
    # BASE + programme + count + one page of sign-ups
    assert _count(client, reverse("mentoring_signups", args=["ekbacken", p.pk])) == BASE + 3


def test_signup_list_is_paged(client, world):
    """An imported regional programme has thousands of sign-ups: a hundred a page."""
    from bollplank.mentoring.views import SIGNUPS_PER_PAGE

    p = h.programme(world)
    for i in range(SIGNUPS_PER_PAGE + 1):
        h.sign_up(p, "mentee", f"E{i:03}")
    client.force_login(world.supervisor)
    url = reverse("mentoring_signups", args=["ekbacken", p.pk])
    first = client.get(url)
    assert len(first.context["page"].object_list) == SIGNUPS_PER_PAGE
    assert "Sida 1 av 2" in first.content.decode()
    second = client.get(url + "?page=2")
    assert [s.name for s in second.context["page"].object_list] == [f"E{SIGNUPS_PER_PAGE:03}"]


@pytest.mark.parametrize("rows", [1, 3])
def test_programme_page_queries(client, world, rows):
    p = h.demo(world, mentors=rows, mentees=rows)
    client.force_login(world.supervisor)
    client.post(reverse("mentoring_match", args=["ekbacken", p.pk]))
    # BASE + programme + sign-ups + latest run + pair rules
    assert _count(client, reverse("mentoring_programme", args=["ekbacken", p.pk])) == BASE + 4


def test_programme_page_pages_the_pairs(client, world, monkeypatch):
    """A national programme has thousands of pairs: the coordinator's page shows them a page
    at a time, each with its explanation."""
    from bollplank.mentoring import views

    monkeypatch.setattr(views, "PAIRS_PER_PAGE", 2)
    p = h.demo(world, mentors=3, mentees=3)
    client.force_login(world.supervisor)
    client.post(reverse("mentoring_match", args=["ekbacken", p.pk]))
    url = reverse("mentoring_programme", args=["ekbacken", p.pk])
    first = client.get(url)
    second = client.get(url + "?page=2")
    shown = [*first.context["pairs"].object_list, *second.context["pairs"].object_list]
    assert len(first.context["pairs"].object_list) == 2
    assert len(shown) == first.context["run"].matched == 3
    assert len({(x.mentee.pk, x.mentor.pk) for x in shown}) == 3
    assert "Sida 1 av 2" in first.content.decode()
    assert all(isinstance(x.why, list) for x in shown)
