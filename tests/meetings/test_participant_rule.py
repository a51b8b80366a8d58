"""meetings_of_participant reads a participant's memberships first and tests each meeting's
engagement and start; it must give exactly the meetings meetings_visible_to gives the
participant role: their groups' meetings, and of a group they left only those before the day
they left (in Stockholm's calendar, across a daylight-saving change too)."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from bollplank.core.roles import Role
from bollplank.meetings.selectors import meetings_of_participant, meetings_visible_to
from tests import factories as f
from tests import timecontrol as tc

ONLY = frozenset({Role.PARTICIPANT})


def _ids(qs) -> list[int]:
    return sorted(qs.values_list("pk", flat=True))


def _meetings_around(engagement, day: dt.date) -> list[int]:
    """Meetings late the evening before ``day``, just after its midnight, and in its middle."""
    made = []
    for start in (
        tc.local(day - dt.timedelta(days=1), 23, 30),
        tc.local(day, 0, 15),
        tc.local(day, 13),
        tc.local(day + dt.timedelta(days=7), 9),
    ):
        made.append(f.MeetingFactory(engagement=engagement, starts_at=start).pk)
    return made


@pytest.mark.parametrize("left_day", ["autumn_change", "plain"])
def test_the_same_meetings_as_the_general_rule(world, left_day):
    practice = world.practice
    day = tc.autumn_change() if left_day == "autumn_change" else tc.workday_after(12)
    user = f.member(practice, Role.PARTICIPANT)
    person = f.ParticipantFactory(practice=practice, user=user)
    still = f.EngagementFactory(practice=practice, supervisor=world.supervisor)
    left = f.EngagementFactory(practice=practice, supervisor=world.supervisor)
    # Left, came back and is in it again: every meeting.
    back = f.EngagementFactory(practice=practice, supervisor=world.supervisor)
    # Left twice: the later day counts.
    twice = f.EngagementFactory(practice=practice, supervisor=world.supervisor)
    never = f.EngagementFactory(practice=practice, supervisor=world.supervisor)
    f.GroupMembershipFactory(engagement=still, participant=person)
    f.GroupMembershipFactory(engagement=left, participant=person, left_on=day)
    f.GroupMembershipFactory(engagement=back, participant=person, left_on=day)
    f.GroupMembershipFactory(engagement=back, participant=person)
    f.GroupMembershipFactory(engagement=twice, participant=person, left_on=day - dt.timedelta(3))
    f.GroupMembershipFactory(engagement=twice, participant=person, left_on=day)
    for engagement in (still, left, back, twice, never):
        _meetings_around(engagement, day)
    with scope(practice=practice):
        general = _ids(meetings_visible_to(user, practice, ONLY))
        resolved = _ids(meetings_of_participant(user, practice))
        left_seen = _ids(meetings_of_participant(user, practice).filter(engagement=left))
    assert resolved == general
    # Of the group left on ``day``: only the evening before it.
    assert len(left_seen) == 1
    assert len(resolved) == 4 + 1 + 4 + 1


def test_someone_in_no_group_sees_no_meetings(world):
    user = f.member(world.practice, Role.PARTICIPANT)
    with scope(practice=world.practice):
        assert _ids(meetings_of_participant(user, world.practice)) == []
