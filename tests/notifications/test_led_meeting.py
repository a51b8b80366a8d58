"""The supervisor's copy (issue 9): when someone else — a practice admin, another supervisor, a
token through the API — plans, moves or cancels a meeting a supervisor leads, the supervisor
gets the invitation with the calendar update too (an optional kind, with an unsubscribe link).
Their own changes mail them nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django_scopes import scope, scopes_disabled

from bollplank.meetings import services as meeting_services
from bollplank.notifications.meetings import notify_supervisor
from bollplank.notifications.models import OptOut, OutgoingMail
from tests.conftest import World
from tests.notifications.test_notifications import _calendar, _day

SIV = "siv@ekbacken.se"


def _plan(world: World, capture: Any, actor: Any) -> Any:
    with capture(execute=True), scope(practice=world.practice):
        return meeting_services.meeting_create(
            actor=actor, engagement=world.engagement, day=_day(), time=dt.time(9, 0)
        )


def _to_siv() -> list[Any]:
    return [m for m in mail.outbox if m.to == [SIV]]


def _rows_to_siv() -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(
            OutgoingMail.objects.filter(to=SIV).order_by("pk").values_list("kind", "status")
        )


def test_supervisor_changing_their_own_meeting_gets_no_mail(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _plan(world, django_capture_on_commit_callbacks, world.supervisor)
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_reschedule(
            actor=world.supervisor, meeting=meeting, day=_day(), time=dt.time(13, 0), minutes=120
        )
        meeting_services.meeting_cancel(
            cancelled_by="supervisor", reason="Sjukdom", actor=world.supervisor, meeting=meeting
        )
    assert _to_siv() == [] and _rows_to_siv() == []
    assert any(m.to == ["pia@solbacka.se"] for m in mail.outbox)


def test_admin_plans_moves_and_cancels_the_supervisor_gets_each_calendar_update(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _plan(world, django_capture_on_commit_callbacks, world.admin)
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_reschedule(
            actor=world.admin, meeting=meeting, day=_day(), time=dt.time(13, 0), minutes=120
        )
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_cancel(
            cancelled_by="supervisor", reason="Sjukdom", actor=world.admin, meeting=meeting
        )
    planned, moved, cancelled = _to_siv()
    uid = f"UID:{meeting.uid}@bollplank"
    assert "METHOD:REQUEST" in _calendar(planned) and "SEQUENCE:0" in _calendar(planned)
    assert "METHOD:REQUEST" in _calendar(moved) and "SEQUENCE:1" in _calendar(moved)
    assert f"DTSTART;TZID=Europe/Stockholm:{_day():%Y%m%d}T130000" in _calendar(moved)
    assert "METHOD:CANCEL" in _calendar(cancelled) and "SEQUENCE:2" in _calendar(cancelled)
    assert all(uid in _calendar(m) for m in (planned, moved, cancelled))
    assert moved.subject == "Träffen är flyttad: Lärarlaget åk 4–6"
    assert all("/email/unsubscribe/" in m.body for m in (planned, moved, cancelled))
    assert _rows_to_siv() == [("led_meeting", "sent")] * 3


def test_supervisor_who_turned_them_off_gets_none(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    OptOut.objects.create(email=SIV, kind="led_meeting")
    _plan(world, django_capture_on_commit_callbacks, world.admin)
    assert _to_siv() == []
    assert _rows_to_siv() == [("led_meeting", "skipped")]


def test_no_copy_for_a_change_by_a_participant_or_nobody(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _plan(world, django_capture_on_commit_callbacks, world.supervisor)
    with scope(practice=world.practice):
        assert notify_supervisor(meeting, "moved", world.participant_user) is False
        assert notify_supervisor(meeting, "moved", None) is False
        assert notify_supervisor(meeting, "moved", world.foreign_supervisor) is False
        assert notify_supervisor(meeting, "moved", world.other_supervisor) is True
    assert [k for k, _s in _rows_to_siv()] == ["led_meeting"]
