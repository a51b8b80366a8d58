"""Engagements: group size rules, joining and leaving with history kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from bollplank.engagements import services
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.engagements.services import PersonInput
from tests import factories as f
from tests import timecontrol as tc


@pytest.fixture
def setup(db):
    practice = f.PracticeFactory()
    supervisor = f.member(practice, "supervisor")
    client = f.ClientFactory(practice=practice)
    return practice, supervisor, client


def fields(client, supervisor, form="group"):
    return {
        "client": client,
        "supervisor": supervisor,
        "title": "Socialsekreterarna",
        "form": form,
        "focus": "case",
        "meeting_minutes": 120 if form == "group" else 60,
        "meetings_ordered": 8,
        "start_date": tc.today() - dt.timedelta(days=90),
        "end_date": tc.today() + dt.timedelta(days=60),
        "venue": "client",
    }


def test_group_of_one_is_refused_and_nothing_saved(setup):
    practice, supervisor, client = setup
    with scope(practice=practice):
        with pytest.raises(ValidationError) as exc:
            services.engagement_create(
                actor=supervisor,
                practice=practice,
                participants=[PersonInput("Ada", "ada@example.se")],
                **fields(client, supervisor),
            )
        assert exc.value.code == "group_too_small"
        assert "minst 2" in exc.value.messages[0]
        assert Engagement.objects.count() == 0


def test_individual_with_two_is_refused(setup):
    practice, supervisor, client = setup
    with scope(practice=practice), pytest.raises(ValidationError) as exc:
        services.engagement_create(
            actor=supervisor,
            practice=practice,
            participants=[PersonInput("Ada", "ada@example.se"), PersonInput("Bo", "bo@example.se")],
            **fields(client, supervisor, form="individual"),
        )
    assert exc.value.code == "individual_not_one"


def test_group_created_with_members(setup):
    practice, supervisor, client = setup
    with scope(practice=practice):
        engagement = services.engagement_create(
            actor=supervisor,
            practice=practice,
            participants=[PersonInput("Ada", "ADA@example.se"), PersonInput("Bo", "bo@example.se")],
            **fields(client, supervisor),
        )
        emails = sorted(
            GroupMembership.objects.filter(engagement=engagement).values_list(
                "participant__email", flat=True
            )
        )
    assert emails == ["ada@example.se", "bo@example.se"]


def test_engagement_supervisor_must_be_a_supervisor_of_the_practice(setup):
    practice, supervisor, client = setup
    stranger = f.UserFactory()
    with scope(practice=practice), pytest.raises(ValidationError) as exc:
        services.engagement_create(
            actor=supervisor,
            practice=practice,
            participants=[PersonInput("Ada", "ada@example.se"), PersonInput("Bo", "bo@example.se")],
            **fields(client, stranger),
        )
    assert "supervisor" in exc.value.message_dict


def test_leaving_keeps_history_and_the_minimum(setup):
    practice, supervisor, client = setup
    engagement = f.EngagementFactory(practice=practice, supervisor=supervisor, client=client)
    a = f.GroupMembershipFactory(engagement=engagement)
    f.GroupMembershipFactory(engagement=engagement)
    joined, left = tc.today(), tc.today() + dt.timedelta(days=31)
    with scope(practice=practice):
        with pytest.raises(ValidationError) as exc:
            services.participant_leave(actor=supervisor, membership=a, left_on=left)
        assert exc.value.code == "group_too_small"
        services.participant_join(
            actor=supervisor,
            engagement=engagement,
            name="Cia",
            email="cia@example.se",
            joined_on=joined,
        )
        services.participant_leave(actor=supervisor, membership=a, left_on=left)
        rows = GroupMembership.objects.filter(engagement=engagement).count()
        active = GroupMembership.objects.filter(engagement=engagement, left_on__isnull=True).count()
    assert (rows, active) == (3, 2)


def test_joining_twice_is_refused(setup):
    practice, supervisor, client = setup
    engagement = f.EngagementFactory(practice=practice, supervisor=supervisor, client=client)
    m = f.GroupMembershipFactory(engagement=engagement)
    with scope(practice=practice), pytest.raises(ValidationError) as exc:
        services.participant_join(
            actor=supervisor,
            engagement=engagement,
            name="X",
            email=m.participant.email,
            joined_on=tc.today(),
        )
    assert exc.value.code == "already_member"
