"""API writes for groups and courses (issue 9): a person joins or leaves a group, a course
registration is made or cancelled, through the same services as the screens, with the same
refusals (400 with the service's message), and only with a read-write token of the staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django_scopes import scopes_disabled

from bollplank.core.models import AuditEvent
from bollplank.courses.models import Registration
from bollplank.engagements.models import GroupMembership
from bollplank.notifications.models import OutgoingMail
from tests import factories as f
from tests import timecontrol as tc
from tests.conftest import World
from tests.courses.conftest import make_course, register


def _members(world: World) -> list[tuple[str, str | None]]:
    with scopes_disabled():
        return sorted(
            (m.participant.email, m.left_on.isoformat() if m.left_on else None)
            for m in GroupMembership.objects.filter(engagement=world.engagement)
        )


def test_participant_joins_the_group_through_the_api(world: World, api: Any) -> None:
    client = api("supervisor")
    url = f"/engagements/{world.engagement.pk}/participants"
    joined = str(tc.today() - dt.timedelta(days=30))
    response = client.post(
        url, {"name": "Nya Nora", "email": "Nora@Example.se", "joined_on": joined}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["joined_on"], body["left_on"]) == ("Nya Nora", joined, None)
    assert ("nora@example.se", None) in _members(world)
    listed = client.get(url).json()
    assert body in listed
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="engagements.membership.joined", actor=world.supervisor
        ).exists()
    # The same person again: the service's refusal, in the token owner's language.
    again = client.post(url, {"name": "Nya Nora", "email": "nora@example.se"})
    assert again.status_code == 400
    assert "redan med i gruppen" in str(again.json()["detail"])


def test_join_bad_input_changes_nothing(world: World, api: Any) -> None:
    client = api("admin")
    url = f"/engagements/{world.engagement.pk}/participants"
    before = _members(world)
    assert (
        client.post(url, {"name": "X", "email": "x@example.se", "role": "admin"}).status_code == 422
    )
    assert (
        client.post(
            url, {"name": "X", "email": "x@example.se", "joined_on": "1/11/2026"}
        ).status_code
        == 422
    )
    assert client.post(url, {"name": "", "email": "x@example.se"}).status_code == 422
    assert client.post(url, raw="{not json").status_code in (400, 422)
    bad_email = client.post(url, {"name": "X", "email": "inte-en-adress"})
    assert bad_email.status_code == 400
    assert _members(world) == before


def test_participant_leaves_and_the_group_keeps_its_minimum(world: World, api: Any) -> None:
    client = api("supervisor")
    with scopes_disabled():
        members = list(GroupMembership.objects.filter(engagement=world.engagement))
    assert len(members) == 2
    first = members[0].participant
    url = f"/engagements/{world.engagement.pk}/participants/{first.pk}/leave"
    # Two members: one leaving would leave a group of one.
    left = tc.today() + dt.timedelta(days=7)
    refused = client.post(url, {"left_on": str(left)})
    assert refused.status_code == 400 and "minst 2" in str(refused.json()["detail"])
    f.GroupMembershipFactory(engagement=world.engagement)
    response = client.post(url, {"left_on": str(left)})
    assert response.status_code == 200
    assert response.json()["left_on"] == str(left)
    assert (first.email, str(left)) in _members(world)
    next_day = str(left + dt.timedelta(days=1))
    assert client.post(url, {"left_on": next_day}).status_code == 400  # already left
    # Someone never in this group, and a group of another practice.
    assert (
        client.post(f"/engagements/{world.engagement.pk}/participants/999999/leave", {}).status_code
        == 404
    )
    foreign = f"/engagements/{world.foreign_engagement.pk}/participants/{first.pk}/leave"
    assert client.post(foreign, {}).status_code == 404


def test_read_token_cannot_change_groups_or_registrations(world: World, api: Any) -> None:
    course = make_course(world.practice)
    registration = register(course, email="a@x.se")
    client = api("admin", scope="read")
    url = f"/engagements/{world.engagement.pk}/participants"
    assert client.post(url, {"name": "X", "email": "x@example.se"}).status_code == 403
    assert (
        client.post(
            f"/courses/{course.pk}/registrations", {"name": "X", "email": "x@x.se"}
        ).status_code
        == 403
    )
    cancel = f"/courses/{course.pk}/registrations/{registration.pk}/cancel"
    assert client.post(cancel).status_code == 403
    with scopes_disabled():
        assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_registration_through_the_api_is_confirmed_then_waitlisted_and_mailed(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, capacity=1)
    client = api("other_supervisor")  # any staff member: courses are the practice's
    url = f"/courses/{course.pk}/registrations"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"name": "Kim Kurs", "email": "kim@example.se", "language": "en"})
        second = client.post(url, {"name": "Lo Lista", "email": "lo@example.se"})
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    assert second.status_code == 201 and second.json()["status"] == "waitlisted"
    with scopes_disabled():
        rows = {m.to: m for m in OutgoingMail.objects.filter(kind="course")}
        assert (
            AuditEvent.objects.filter(
                action="courses.registration.created", actor=world.other_supervisor
            ).count()
            == 2
        )
    assert rows["kim@example.se"].language == "en" and rows["lo@example.se"].language == "sv"
    assert [m.to[0] for m in mail.outbox] == ["kim@example.se", "lo@example.se"]
    assert len(mail.outbox[0].attachments) == 1  # the course days as a calendar file
    # The same address again, a bad address, an unknown field: refused, nothing made.
    assert client.post(url, {"name": "Kim", "email": "KIM@example.se"}).status_code == 400
    assert client.post(url, {"name": "Kim", "email": "nej"}).status_code == 400
    assert client.post(url, {"name": "Kim", "email": "k@x.se", "price_ore": 0}).status_code == 422
    assert [r["email"] for r in client.get(url).json()] == ["kim@example.se", "lo@example.se"]


def test_cancel_through_the_api_promotes_the_waitlist(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.practice, capacity=1)
    taken = register(course, email="a@x.se")
    waiting = register(course, email="b@x.se")
    client = api("admin")
    url = f"/courses/{course.pk}/registrations/{taken.pk}/cancel"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    with scopes_disabled():
        assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.se", "b@x.se"]
    again = client.post(url)
    assert again.status_code == 400 and "redan avbokad" in str(again.json()["detail"])
    other = make_course(world.practice)
    assert client.post(f"/courses/{other.pk}/registrations/{taken.pk}/cancel").status_code == 404
