"""Item 6: supervision hours per participant from attendance, signed off by the supervisor,
and a certificate PDF for the participant."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.evaluations import selectors, services
from bollplank.evaluations.models import HoursSignoff
from bollplank.meetings.models import Attendance
from tests import factories as f

P = "ekbacken"


def _attend(world, pia, count=3):
    with scopes_disabled():
        for i in range(count):
            start = world.meeting.starts_at + dt.timedelta(days=7 * (i + 1))
            meeting = f.MeetingFactory(
                engagement=world.engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
            )
            Attendance.objects.create(
                practice=world.practice,
                meeting=meeting,
                participant=pia,
                status="present" if i < count - 1 else "absent",
            )


def _pia(world):
    with scopes_disabled():
        return world.engagement.memberships.get(
            participant__user=world.participant_user
        ).participant


def test_hours_count_only_meetings_attended(world):
    pia = _pia(world)
    _attend(world, pia)
    with scope(practice=world.practice):
        rows = selectors.hours_of(world.engagement)
    assert [(r.participant.pk, r.meetings, r.minutes) for r in rows] == [(pia.pk, 2, 240)]


def test_supervisor_signs_off_and_participant_downloads_certificate(client, world):
    pia = _pia(world)
    _attend(world, pia)
    client.force_login(world.supervisor)
    url = reverse("engagement_hours", args=[P, world.engagement.pk])
    assert client.post(url, {"participant": pia.pk}).status_code == 302
    with scopes_disabled():
        signoff = HoursSignoff.objects.get(participant=pia)
    assert (signoff.meetings, signoff.minutes, signoff.signed_by) == (2, 240, world.supervisor)
    client.force_login(world.participant_user)
    page = client.get(reverse("my_goals", args=[P])).content.decode()
    cert = reverse("hours_certificate", args=[P, signoff.pk])
    assert cert in page
    pdf = client.get(cert)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_sign_off_without_attendance_is_refused(world):
    pia = _pia(world)
    with scope(practice=world.practice), pytest.raises(ValidationError):
        services.hours_sign_off(
            actor=world.supervisor, engagement=world.engagement, participant=pia
        )


def test_only_the_engagements_supervisor_signs_off(world):
    pia = _pia(world)
    _attend(world, pia)
    with scope(practice=world.practice), pytest.raises(ValidationError):
        services.hours_sign_off(
            actor=world.other_supervisor, engagement=world.engagement, participant=pia
        )
