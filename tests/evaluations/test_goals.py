"""Item 5: goals for the group and for each participant, progress over time, revisits, and
counts in the client's report that never single out one person's goals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core.roles import Role
from bollplank.evaluations import selectors, services
from bollplank.evaluations.models import Goal, GoalProgress, GoalRevisit
from tests import factories as f

P = "ekbacken"


def _people(world):
    with scopes_disabled():
        members = list(world.engagement.memberships.select_related("participant"))
    pia = next(m.participant for m in members if m.participant.user_id == world.participant_user.pk)
    other = next(m.participant for m in members if m.participant.pk != pia.pk)
    return pia, other


def _goals(world):
    pia, other = _people(world)
    with scope(practice=world.practice):
        group_goal = services.goal_create(
            actor=world.supervisor, engagement=world.engagement, title="Mindre stress i laget"
        )
        pia_goal = services.goal_create(
            actor=world.supervisor, engagement=world.engagement, title="Säga nej", participant=pia
        )
        other_goal = services.goal_create(
            actor=world.supervisor,
            engagement=world.engagement,
            title="Hemlig plan",
            participant=other,
        )
    return group_goal, pia_goal, other_goal


def test_participant_sees_group_goal_and_own_goal_only(world):
    group_goal, pia_goal, other_goal = _goals(world)
    with scope(practice=world.practice):
        seen = set(
            selectors.goals_visible_to(
                world.participant_user, world.practice, frozenset({Role.PARTICIPANT})
            )
        )
        assert seen == {group_goal, pia_goal}
        assert set(
            selectors.goals_visible_to(
                world.supervisor, world.practice, frozenset({Role.SUPERVISOR})
            )
        ) == {group_goal, pia_goal, other_goal}
        assert not selectors.goals_visible_to(
            world.admin, world.practice, frozenset({Role.ADMIN})
        ).exists()


def test_participant_rates_progress_over_time_and_supervisor_sees_it(client, world):
    _group_goal, pia_goal, _other = _goals(world)
    client.force_login(world.participant_user)
    url = reverse("my_goals", args=[P])
    page = client.get(url).content.decode()
    assert "Säga nej" in page and "Hemlig plan" not in page
    for rating in ("3", "6"):
        response = client.post(
            url,
            {
                "goal": pia_goal.pk,
                f"g{pia_goal.pk}-rating": rating,
                f"g{pia_goal.pk}-comment": "<i>bättre</i>",
            },
        )
        assert response.status_code == 302
    with scopes_disabled():
        assert list(
            GoalProgress.objects.filter(goal=pia_goal).values_list("rating", flat=True)
        ) == [3, 6]
    client.force_login(world.supervisor)
    page = client.get(reverse("engagement_goals", args=[P, world.engagement.pk])).content.decode()
    assert "&lt;i&gt;bättre&lt;/i&gt;" in page


def test_out_of_range_rating_is_refused_and_comment_kept(client, world):
    _g, pia_goal, _o = _goals(world)
    client.force_login(world.participant_user)
    response = client.post(
        reverse("my_goals", args=[P]),
        {"goal": pia_goal.pk, f"g{pia_goal.pk}-rating": "11", f"g{pia_goal.pk}-comment": "kvar"},
    )
    assert response.status_code == 400
    assert "Välj ett av de värden som visas." in response.content.decode()
    assert "kvar</textarea>" in response.content.decode()
    with scope(practice=world.practice), pytest.raises(ValidationError):
        services.progress_add(actor=world.participant_user, goal=pia_goal, rating=11)
    with scopes_disabled():
        assert GoalProgress.objects.count() == 0


def test_rating_someone_elses_goal_is_not_found(client, world):
    _g, _pia_goal, other_goal = _goals(world)
    client.force_login(world.participant_user)
    response = client.post(
        reverse("my_goals", args=[P]), {"goal": other_goal.pk, f"g{other_goal.pk}-rating": "5"}
    )
    assert response.status_code == 404


def test_supervisor_adds_goal_marks_reached_and_chooses_revisits(client, world):
    client.force_login(world.supervisor)
    url = reverse("engagement_goals", args=[P, world.engagement.pk])
    assert (
        client.post(url, {"do": "add", "title": "Tydligare roller", "participant": ""}).status_code
        == 302
    )
    with scopes_disabled():
        goal = Goal.objects.get(title="Tydligare roller")
    client.post(url, {"do": "reached", "goal": goal.pk})
    client.post(url, {"do": "revisits", "meeting": [world.meeting.pk]})
    with scopes_disabled():
        goal.refresh_from_db()
        assert goal.reached_on is not None and goal.participant_id is None
        assert list(GoalRevisit.objects.values_list("meeting", flat=True)) == [world.meeting.pk]


def test_goal_for_someone_outside_the_engagement_is_refused(world):
    with scopes_disabled():
        stranger = f.ParticipantFactory(practice=world.practice)
    with scope(practice=world.practice), pytest.raises(ValidationError):
        services.goal_create(
            actor=world.supervisor, engagement=world.engagement, title="X", participant=stranger
        )


def test_report_counts_goals_but_never_one_persons(world):
    group_goal, pia_goal, _other = _goals(world)
    with scope(practice=world.practice):
        services.goal_set_reached(actor=world.supervisor, goal=group_goal, reached=True)
        services.goal_set_reached(actor=world.supervisor, goal=pia_goal, reached=True)
        counts = selectors.goal_counts([world.engagement])
    assert (counts.group_reached, counts.group_total) == (1, 1)
    assert counts.personal_people == 2
    assert not counts.personal_shown
