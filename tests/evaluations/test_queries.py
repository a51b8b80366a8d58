"""The evaluations list pages run a fixed number of queries, with 1 row or with 3.

BASE: session, user, practice and roles (tests/test_query_counts.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.evaluations import services
from tests import factories as f
from tests.evaluations.helpers import after_meeting, answer_all, close, evaluation_round, group
from tests.test_query_counts import BASE  # session, user, practice and roles

P = "ekbacken"


def _count(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_questionnaire_list_queries(client, world, rows):
    with scope(practice=world.practice):
        for i in range(rows):
            services.questionnaire_create(
                actor=world.supervisor, practice=world.practice, kind="custom", name_sv=f"E{i}"
            )
    client.force_login(world.supervisor)
    # BASE + questionnaires with their question counts
    assert _count(client, reverse("questionnaire_list", args=[P])) == BASE + 1


@pytest.mark.parametrize("rows", [1, 3])
def test_engagement_follow_up_queries(client, world, rows):
    for _ in range(rows):
        with scopes_disabled():
            meeting = f.MeetingFactory(engagement=world.engagement)
        answer_all(after_meeting(world, meeting=meeting, anonymous=False))
    answer_all(evaluation_round(world, world.engagement))
    client.force_login(world.supervisor)
    # BASE + engagement + memberships; sendable questionnaires; rounds (table); the trend's
    # rounds, their questions, figures, response counts, texts; the evaluations' rounds,
    # questions, figures, response counts, texts; participants
    assert _count(client, reverse("engagement_evaluations", args=[P, world.engagement.pk])) == (
        BASE + 16
    )


@pytest.mark.parametrize("rows", [1, 3])
def test_client_report_queries(client, world, rows):
    for i in range(rows):
        engagement, _m = group(world, 5, f"Grupp {i}")
        rnd = evaluation_round(world, engagement)
        answer_all(rnd)
        close(rnd)
        with scope(practice=world.practice):
            services.report_share(actor=world.supervisor, engagement=engagement)
    client.force_login(world.contact_user)
    # BASE + engagements + shares + answer units + questions + meetings held + attendance +
    # goal counts + the audit event (savepoint, insert, release; no lock, on either database)
    assert _count(client, reverse("client_report", args=[P])) == BASE + 10


@pytest.mark.parametrize("rows", [1, 3])
def test_participant_home_with_questionnaires_queries(client, world, rows):
    for _ in range(rows):
        with scopes_disabled():
            meeting = f.MeetingFactory(engagement=world.engagement)
        after_meeting(world, meeting=meeting)
    client.force_login(world.participant_user)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("participant_home", args=[P])).content.decode()
    assert page.count("evaluations/answer/") == rows
    # The open questionnaires are one query whatever their number (the page's own count
    # is kept in tests/test_query_counts.py; this pins it with questionnaires waiting).
    # BASE + the page's own (the person's memberships, meetings ahead and behind, summaries,
    # case turns, runs) + one for the open questionnaires with their rounds, questionnaires,
    # engagements and meetings. (Case turns are one query now even with no meeting ahead: they
    # are looked up over every meeting ahead, not over the few shown.) And the menu's check
    # that the person has an individual engagement to book in.
    assert len(ctx.captured_queries) == BASE + 8
