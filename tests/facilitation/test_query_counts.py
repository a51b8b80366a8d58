"""The room's list pages run a fixed number of queries, with 1 row or with 3.

BASE: session, user, practice and roles (tests/test_query_counts.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.facilitation import services
from bollplank.facilitation.models import ConversationModel, Step
from tests import factories as f
from tests.test_query_counts import BASE  # session, user, practice and roles


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_model_list_queries(client, world, rows):
    with scopes_disabled():
        for i in range(rows):
            model = ConversationModel.objects.create(practice=world.practice, name=f"M{i}")
            Step.objects.create(model=model, position=1, name="S", seconds=5, speaker="group")
    client.force_login(world.supervisor)
    # BASE + shipped models + their steps + own models + their steps
    assert _count(client, reverse("model_list", args=["ekbacken"])) == BASE + 4


def _parts_and_themes(world, rows):
    with scope(practice=world.practice):
        parts = [
            services.mission_part_add(actor=world.supervisor, client=world.client, title=f"D{i}")
            for i in range(rows)
        ]
        services.themes_set(
            actor=world.supervisor, meeting=world.meeting, part_ids=[p.pk for p in parts]
        )
        services.mission_part_revise(actor=world.supervisor, part=parts[0], title="Ny", text="")
    return parts


@pytest.mark.parametrize("rows", [1, 3])
def test_mission_parts_queries(client, world, rows):
    _parts_and_themes(world, rows)
    client.force_login(world.supervisor)
    # BASE + client + all versions (history) + current parts
    assert _count(client, reverse("mission_parts", args=["ekbacken", world.client.pk])) == BASE + 3


@pytest.mark.parametrize("rows", [1, 3])
def test_engagement_mission_queries(client, world, rows):
    _parts_and_themes(world, rows)
    client.force_login(world.supervisor)
    url = reverse("engagement_mission", args=["ekbacken", world.engagement.pk])
    # BASE + engagement + its memberships (prefetch) + parts + themes + shared?
    assert _count(client, url) == BASE + 5


@pytest.mark.parametrize("rows", [1, 3])
def test_client_mission_queries(client, world, rows):
    _parts_and_themes(world, 1)
    with scope(practice=world.practice):
        engagements = [world.engagement] + [
            f.EngagementFactory(
                practice=world.practice, client=world.client, supervisor=world.supervisor
            )
            for _ in range(rows - 1)
        ]
        for engagement in engagements:
            services.mission_share_set(actor=world.supervisor, engagement=engagement, shared=True)
    client.force_login(world.contact_user)
    # BASE + shared engagements + parts of their clients + themes
    assert _count(client, reverse("client_mission", args=["ekbacken"])) == BASE + 3
