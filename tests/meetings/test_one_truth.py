"""One truth about a meeting: nothing enters the past by planning; a meeting already held is
recorded as held with its attendance; pages and the API say "held" of the same meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.meetings import services
from bollplank.meetings.models import Attendance, Meeting
from tests import timecontrol as tc
from tests.api.conftest import api, token_for  # noqa: F401 (the API's fixtures)

P = "ekbacken"


def _yesterday() -> dt.date:
    return tc.today() - dt.timedelta(days=1)


def _count(world) -> int:
    with scopes_disabled():
        return Meeting.objects.filter(engagement=world.engagement).count()


def test_planning_in_the_past_is_refused_by_the_service(world):
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=world.supervisor, engagement=world.engagement, day=_yesterday(), time=dt.time(9)
        )
    assert list(exc.value.message_dict) == ["day"]


def test_api_refuses_a_past_meeting_unless_recorded_as_held_with_attendance(world, api):  # noqa: F811
    before = _count(world)
    client = api("supervisor")
    starts = f"{_yesterday()}T09:00:00+01:00"
    refused = client.post("/meetings/", {"engagement_id": world.engagement.pk, "starts_at": starts})
    assert refused.status_code == 400
    assert "Den tiden har passerat" in refused.content.decode()
    # Held, but without everyone's attendance: refused too.
    no_rows = client.post(
        "/meetings/", {"engagement_id": world.engagement.pk, "starts_at": starts, "held": True}
    )
    assert no_rows.status_code == 400
    assert _count(world) == before
    with scopes_disabled():
        members = list(world.engagement.memberships.values_list("participant_id", flat=True))
    rows = [{"participant_id": pk, "status": "present"} for pk in members]
    recorded = client.post(
        "/meetings/",
        {
            "engagement_id": world.engagement.pk,
            "starts_at": starts,
            "held": True,
            "attendance": rows,
        },
    )
    assert recorded.status_code == 201, recorded.content
    body = recorded.json()
    assert (body["held"], body["status"]) == (True, "planned")
    with scopes_disabled():
        present = Attendance.objects.filter(meeting_id=body["id"], status="present").count()
    assert present == len(members)
    # The API and the page agree that it was held.
    assert client.get(f"/meetings/{body['id']}").json()["held"] is True


def test_api_move_into_the_past_is_refused(world, api):  # noqa: F811
    client = api("supervisor")
    ahead = f"{tc.workday_after(7)}T09:00:00+01:00"
    created = client.post("/meetings/", {"engagement_id": world.engagement.pk, "starts_at": ahead})
    assert created.json()["held"] is False
    moved = client.post(
        f"/meetings/{created.json()['id']}/move",
        {"starts_at": f"{_yesterday()}T09:00:00+01:00", "minutes": 60},
    )
    assert moved.status_code == 400
    assert (
        client.get(f"/meetings/{created.json()['id']}")
        .json()["starts_at"]
        .startswith(str(tc.workday_after(7)))
    )


def test_form_refuses_the_past_and_records_a_held_meeting_with_attendance(client, world):
    url = reverse("meeting_create", args=[P, world.engagement.pk])
    client.force_login(world.supervisor)
    data = {"day": str(_yesterday()), "time": "09:00", "minutes": "120", "focus": ""}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Den tiden har passerat" in refused.content.decode()
    step = client.post(url, {**data, "held": "on"})
    page = step.content.decode()
    assert "Pia Deltagare" in page and 'name="attendance-step"' in page
    assert _count(world) == 1  # only the world's own meeting so far
    with scopes_disabled():
        members = list(world.engagement.memberships.values_list("participant_id", flat=True))
    incomplete = client.post(
        url, {**data, "held": "on", "attendance-step": "1", f"attendance-{members[0]}": "present"}
    )
    assert incomplete.status_code == 400
    assert _count(world) == 1
    answers = {f"attendance-{pk}": "absent" for pk in members}
    done = client.post(url, {**data, "held": "on", "attendance-step": "1", **answers}, follow=True)
    assert "Den genomförda träffen är registrerad." in done.content.decode()
    with scopes_disabled():
        meeting = Meeting.objects.filter(engagement=world.engagement).latest("pk")
        absent = Attendance.objects.filter(meeting=meeting, status="absent").count()
    assert (meeting.is_held, absent) == (True, len(members))
    detail = done.content.decode()
    assert "Ställ in träffen" not in detail


def test_series_plan_does_not_offer_or_create_past_dates(world):
    with scope(practice=world.practice):
        proposals = services.series_propose(
            engagement=world.engagement,
            first_day=_yesterday(),
            time=dt.time(9),
            interval_weeks=1,
            count=1,
        )
        assert proposals[0].status == services.Proposal.PASSED
        with pytest.raises(ValidationError):
            services.meetings_create_series(
                actor=world.supervisor,
                engagement=world.engagement,
                chosen=[services.ChosenMeeting(_yesterday(), dt.time(9))],
            )
