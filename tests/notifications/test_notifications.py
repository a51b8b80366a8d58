"""Notifications: meeting invitations with calendar updates, reminders (and when they are
dropped), summaries without their text, language, unsubscribe, retries and a killed worker."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.meetings import services as meeting_services
from bollplank.notifications import outbox
from bollplank.notifications.enums import MailKind, MailStatus
from bollplank.notifications.models import NotificationSettings, OptOut, OutgoingMail
from tests import timecontrol as tc
from tests.conftest import World


def _day() -> dt.date:
    """A working day well ahead, whose eve is a day too (reminders go out the day before)."""
    return tc.workday_after(8)


def _plan(world: World, capture: Any, day: dt.date | None = None) -> Any:
    day = day or _day()
    with capture(execute=True), scope(practice=world.practice):
        return meeting_services.meeting_create(
            actor=world.supervisor, engagement=world.engagement, day=day, time=dt.time(9, 0)
        )


def _rows(**filters: Any) -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.filter(**filters).order_by("pk"))


def _calendar(message: Any) -> str:
    parts = [body for body, kind in message.alternatives if kind.startswith("text/calendar")]
    return parts[0] if parts else ""


def test_planned_meeting_sends_calendar_request_to_group(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _plan(world, django_capture_on_commit_callbacks)
    sent = sorted(mail.outbox, key=lambda m: m.to[0])
    assert [m.to[0] for m in sent][-1] == "pia@solbacka.se"
    assert len(sent) == 2
    pia = sent[-1]
    assert pia.subject.startswith("Ny träff: Lärarlaget åk 4–6")
    ics = _calendar(pia)
    assert "METHOD:REQUEST" in ics and f"UID:{meeting.uid}@bollplank" in ics
    assert (
        "SEQUENCE:0" in ics
        and "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:pia@solbacka.se" in ics
    )
    assert "ORGANIZER" in ics and "mailto:siv@ekbacken.se" in ics
    assert f"/p/ekbacken/meetings/{meeting.pk}/" in pia.body
    assert [kind for _b, kind in pia.alternatives][0] == "text/html"
    # Reminders wait for their time: one meeting reminder and one call for questions each.
    waiting = _rows(status=MailStatus.QUEUED)
    assert sorted(m.kind for m in waiting) == ["questions", "questions", "reminder", "reminder"]
    reminder = next(m for m in waiting if m.kind == "reminder")
    assert reminder.send_after == meeting.starts_at - dt.timedelta(hours=24)


def test_moved_meeting_keeps_uid_raises_sequence_and_drops_old_reminder(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    day = _day()
    meeting = _plan(world, django_capture_on_commit_callbacks, day)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_reschedule(
            actor=world.supervisor, meeting=meeting, day=day, time=dt.time(13, 0), minutes=120
        )
    moved = next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])
    assert moved.subject == "Träffen är flyttad: Lärarlaget åk 4–6"
    ics = _calendar(moved)
    assert "METHOD:REQUEST" in ics and f"UID:{meeting.uid}@bollplank" in ics
    assert "SEQUENCE:1" in ics
    assert f"DTSTART;TZID=Europe/Stockholm:{day:%Y%m%d}T130000" in ics
    # The day before: the old reminder (09:00) is dropped, the new one (13:00) goes out.
    mail.outbox.clear()
    counts = outbox.deliver_due(now=tc.local(day - dt.timedelta(days=1), 13, 30))
    # Dropped: the 09:00 meeting's reminders and calls for questions; sent: the 13:00 one's.
    assert counts == {"skipped": 4, "sent": 4}
    reminders = [m for m in mail.outbox if m.subject.startswith("Påminnelse: Lärarlaget åk 4–6")]
    assert len(reminders) == 2
    assert all("13:00" in m.body and "09:00" not in m.body for m in mail.outbox)


def test_reminder_for_meeting_cancelled_after_queueing_is_not_sent(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _plan(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_cancel(
            cancelled_by="supervisor", reason="Sjukdom", actor=world.supervisor, meeting=meeting
        )
    cancel = next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])
    assert "METHOD:CANCEL" in _calendar(cancel) and "STATUS:CANCELLED" in _calendar(cancel)
    assert "SEQUENCE:1" in _calendar(cancel)
    mail.outbox.clear()
    counts = outbox.deliver_due(now=tc.local(meeting.starts_at.astimezone(tc.STOCKHOLM).date(), 8))
    assert counts == {"skipped": 4}
    assert mail.outbox == []


def test_reminder_hours_configurable_per_practice(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with scopes_disabled():
        NotificationSettings.objects.create(
            practice=world.practice, reminder_hours=2, question_reminder_hours=0
        )
    meeting = _plan(world, django_capture_on_commit_callbacks)
    waiting = _rows(status=MailStatus.QUEUED)
    assert {m.kind for m in waiting} == {"reminder"}
    assert {m.send_after for m in waiting} == {meeting.starts_at - dt.timedelta(hours=2)}


def test_mail_in_recipients_language(world: World, django_capture_on_commit_callbacks: Any) -> None:
    world.participant_user.language = "en"
    world.participant_user.save()
    _plan(world, django_capture_on_commit_callbacks)
    pia = next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])
    other = next(m for m in mail.outbox if m.to != ["pia@solbacka.se"])
    assert pia.subject.startswith("New meeting: Lärarlaget åk 4–6")
    assert other.subject.startswith("Ny träff:")


def test_summary_published_mail_has_no_summary_text(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from bollplank.records.services import summary_save

    secret = "Pia berättade om en svår konflikt med rektorn"
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        summary_save(actor=world.supervisor, meeting=world.meeting, body=secret, publish=True)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.subject == "En ny sammanfattning finns: Lärarlaget åk 4–6"
        assert secret not in message.body
        assert all(secret not in body for body, _k in message.alternatives)
        assert "/email/unsubscribe/" in message.body


def test_unsubscribe_link_turns_off_the_kind(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    token = outbox.unsubscribe_token("pia@solbacka.se", MailKind.REMINDER)
    page = client.get(f"/email/unsubscribe/{token}/")
    assert page.status_code == 200 and "pia@solbacka.se" in page.content.decode()
    with scopes_disabled():
        assert not OptOut.objects.exists()  # a GET (a mail scanner) changes nothing
    client.post(f"/email/unsubscribe/{token}/")
    with scopes_disabled():
        assert list(OptOut.objects.values_list("email", "kind")) == [
            ("pia@solbacka.se", "reminder")
        ]
    _plan(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    outbox.deliver_due(now=tc.local(_day() - dt.timedelta(days=1), 10))
    reminders = [m.to[0] for m in mail.outbox if m.subject.startswith("Påminnelse")]
    assert "pia@solbacka.se" not in reminders and len(reminders) == 1


@pytest.mark.parametrize("token", ["nonsense", "eyJlIjoieEB4LnNlIiwiayI6Im1lZXRpbmcifQ:bad"])
def test_unsubscribe_bad_token_is_404(client: Client, db: Any, token: str) -> None:
    assert client.get(f"/email/unsubscribe/{token}/").status_code == 404


def test_unsubscribe_token_for_mandatory_kind_is_refused(client: Client, db: Any) -> None:
    token = outbox.unsubscribe_token("pia@solbacka.se", MailKind.MEETING)
    assert client.get(f"/email/unsubscribe/{token}/").status_code == 404


def test_preferences_page_saves_choices(client: Client, world: World) -> None:
    client.force_login(world.participant_user)
    response = client.post("/p/ekbacken/email-preferences/", {"wanted": ["summary"]})
    assert response.status_code == 302
    with scopes_disabled():
        assert set(OptOut.objects.values_list("kind", flat=True)) == {
            "reminder",
            "questions",
            "questionnaire",
            "checkin",
            "led_meeting",
        }
    page = client.get("/p/ekbacken/email-preferences/")
    assert page.context["form"].initial["wanted"] == ["summary"]


def flaky(fail: int) -> Any:
    """EmailMessage.send that fails the first ``fail`` times."""
    left = {"n": fail}
    real_send = outbox.EmailMultiAlternatives.send

    def send(message: Any, *args: Any) -> int:
        if left["n"]:
            left["n"] -= 1
            raise ConnectionRefusedError("smtp down")
        return real_send(message, *args)

    return send


def test_failed_send_retried_with_backoff_then_failed_and_shown(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with mock.patch.object(outbox.EmailMultiAlternatives, "send", flaky(100)):
        with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
            queued = outbox.queue_mail(
                to="pia@solbacka.se",
                template="notifications/email/summary",
                context={"name": "Pia", "title": "T", "when": "", "link": "x"},
                kind=MailKind.SUMMARY,
                practice=world.practice,
            )
        assert queued is not None
        row = _rows(pk=queued.pk)[0]
        assert (row.status, row.attempts, row.last_error) == (
            "queued",
            1,
            "ConnectionRefusedError: smtp down",
        )
        pause = row.send_after - row.claimed_at
        assert pause == dt.timedelta(minutes=1)
        now = row.send_after
        for expected_pause in (5, 30, 120, 720):
            assert (
                outbox.deliver(queued.pk, now=now - dt.timedelta(seconds=1)) == "queued"
            )  # not due
            outbox.deliver(queued.pk, now=now)
            row = _rows(pk=queued.pk)[0]
            assert row.send_after - now == dt.timedelta(minutes=expected_pause)
            now = row.send_after
        assert outbox.deliver(queued.pk, now=now) == "failed"
    client.force_login(world.admin)
    page = client.get("/p/ekbacken/outbox/?status=failed").content.decode()
    assert "1 e-postmeddelande kunde inte skickas" in page and "smtp down" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/ekbacken/outbox/{queued.pk}/retry/")
    assert response.status_code == 302
    assert _rows(pk=queued.pk)[0].status == "sent"


class Killed(BaseException):
    """What the worker sees of SIGKILL: nothing after this line runs (not an Exception)."""


def test_worker_killed_mid_batch_sends_each_mail_exactly_once(world: World) -> None:
    with scopes_disabled():
        for n in range(5):
            outbox.queue_mail(
                to=f"person{n}@example.se",
                template="notifications/email/summary",
                context={"name": "X", "title": "T", "when": "", "link": "x"},
                kind=MailKind.SUMMARY,
                practice=world.practice,
            )
    real_send = outbox.EmailMultiAlternatives.send
    calls = {"n": 0}

    def dies_on_third(message: Any, *args: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return real_send(message, *args)

    now = clock.now()
    with (
        mock.patch.object(outbox.EmailMultiAlternatives, "send", dies_on_third),
        pytest.raises(Killed),
    ):
        outbox.deliver_due(now=now)
    assert [m.status for m in _rows()] == ["sent", "sent", "sending", "queued", "queued"]
    # A new worker at once leaves the claimed row alone (the old one might still be sending)…
    outbox.deliver_due(now=now + dt.timedelta(minutes=1))
    assert [m.status for m in _rows()] == ["sent", "sent", "sending", "sent", "sent"]
    # …and takes it back when the claim is stale.
    outbox.deliver_due(now=now + outbox.lease() + dt.timedelta(minutes=2))
    assert {m.status for m in _rows()} == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.se" for n in range(5)]


def test_rolled_back_change_sends_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import ValidationError

    _plan(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    before = len(_rows())
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        _plan(world, django_capture_on_commit_callbacks)  # double booking: refused
    assert len(_rows()) == before and mail.outbox == []


def test_outbox_mail_of_another_practice_is_404(client: Client, world: World) -> None:
    with scopes_disabled():
        foreign = OutgoingMail.objects.create(
            practice=world.other_practice, kind="other", to="x@y.se", subject="S", text="T"
        )
    client.force_login(world.admin)
    assert client.get(f"/p/ekbacken/outbox/{foreign.pk}/").status_code == 404
    assert client.post(f"/p/ekbacken/outbox/{foreign.pk}/retry/").status_code == 404


def test_outbox_shows_text_only_in_development(client: Client, world: World, settings: Any) -> None:
    with scopes_disabled():
        row = OutgoingMail.objects.create(
            practice=world.practice, kind="other", to="x@y.se", subject="S", text="Hemlig länk"
        )
    client.force_login(world.admin)
    settings.DEBUG = False
    assert "Hemlig länk" not in client.get(f"/p/ekbacken/outbox/{row.pk}/").content.decode()
    settings.DEBUG = True
    assert "Hemlig länk" in client.get(f"/p/ekbacken/outbox/{row.pk}/").content.decode()


def test_muted_block_queues_nothing(world: World, django_capture_on_commit_callbacks: Any) -> None:
    from bollplank.core.mail import mail_muted

    with mail_muted():
        _plan(world, django_capture_on_commit_callbacks)
    assert _rows() == [] and mail.outbox == []


def test_attachment_and_reply_to_survive_a_retry(world: World) -> None:
    with scopes_disabled():
        queued = outbox.queue_mail(
            to="ekonomi@solbacka.se",
            template="notifications/email/summary",
            context={"name": "Ekonomi", "title": "T", "when": "", "link": "x"},
            kind=MailKind.INVOICE,
            practice=world.practice,
            attachment=("faktura-A1.pdf", b"%PDF-1.7 x", "application/pdf"),
            reply_to="ekonomi@ekbacken.se",
        )
    assert queued is not None
    now = clock.now()
    with mock.patch.object(outbox.EmailMultiAlternatives, "send", flaky(1)):
        assert outbox.deliver(queued.pk, now=now) == "queued"
        assert outbox.deliver(queued.pk, now=now + dt.timedelta(minutes=1)) == "sent"
    [message] = mail.outbox
    assert message.attachments == [("faktura-A1.pdf", b"%PDF-1.7 x", "application/pdf")]
    assert message.reply_to == ["ekonomi@ekbacken.se"]


def test_send_due_mail_command_sends_what_is_due(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    with scopes_disabled():
        outbox.queue_mail(
            to="pia@solbacka.se",
            template="notifications/email/summary",
            context={"name": "Pia", "title": "T", "when": "", "link": "x"},
            kind=MailKind.SUMMARY,
            practice=world.practice,
        )
    out = StringIO()
    call_command("send_due_mail", stdout=out)
    assert out.getvalue().strip() == "sent: 1"
    assert [m.to for m in mail.outbox] == [["pia@solbacka.se"]]
    out = StringIO()
    call_command("send_due_mail", stdout=out)
    assert out.getvalue().strip() == "nothing due"
