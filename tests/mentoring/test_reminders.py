"""Check-in reminders: due on the check-in days, to each member of an active pair who has not
answered, once per check-in and person; the mail holds a link to the person's own page and no
content; optional (unsubscribable)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.mentoring import reminders, services
from bollplank.mentoring.links import personal_url
from bollplank.mentoring.models import Pair
from bollplank.notifications.enums import MailKind
from bollplank.notifications.models import OptOut, OutgoingMail
from tests.mentoring import helpers as h


def _published(world, *, weeks=2, started_days_ago=0, pairs=2):
    """A published programme with ``pairs`` pairs, started ``started_days_ago`` days ago."""
    today = clock.today()
    p = h.programme(
        world,
        starts_on=today - dt.timedelta(days=started_days_ago),
        ends_on=today + dt.timedelta(days=200),
        checkin_every_weeks=weeks,
    )
    for i in range(pairs):
        h.sign_up(p, "mentor", f"Mentor {i}", years=20)
        h.sign_up(p, "mentee", f"Adept {i}")
    with scope(practice=world.practice):
        run = services.matching_run(actor=world.admin, programme=p)
        services.programme_publish(actor=world.admin, programme=p, run=run)
    return p


def _send(p, day):
    """Queue the reminders and let the (immediate) task worker send them after commit."""
    with TestCase.captureOnCommitCallbacks(execute=True), scope(practice=p.practice):
        return reminders.checkin_reminders_send(programme=p, today=day)


def _sweep(**kw):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_checkin_reminders", **kw)


def test_checkin_days_follow_the_programme():
    from bollplank.mentoring.models import Programme

    p = Programme(starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 3, 1), checkin_every_weeks=4)
    assert reminders.checkin_days(p) == [dt.date(2027, 2, 1), dt.date(2027, 3, 1)]
    assert reminders.checkins_due(p, dt.date(2027, 1, 31)) == 0
    assert reminders.checkins_due(p, dt.date(2027, 2, 1)) == 1
    assert reminders.checkins_due(p, dt.date(2027, 6, 1)) == 2


def test_nothing_before_the_first_checkin_day(world):
    p = _published(world, weeks=2, started_days_ago=13)
    assert _send(p, clock.today()) == 0
    assert mail.outbox == []


def test_each_member_who_has_not_answered_is_reminded_once(world):
    p = _published(world, weeks=2, started_days_ago=14, pairs=2)
    with scopes_disabled():
        first, second = Pair.objects.filter(programme=p).select_related("mentee", "mentor")
    # One mentee has already answered check-in 1.
    with scope(practice=world.practice):
        services.response_add(
            signup=first.mentee, pair=first, kind="checkin", progress=3, comment="Hemligt"
        )
    today = clock.today()
    assert _send(p, today) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.mentor.email, second.mentee.email, second.mentor.email]
    )
    # Sending again, by the sweep or the task, sends nothing twice.
    assert _send(p, today) == 0
    assert _send(p, today + dt.timedelta(days=3)) == 0
    _sweep(stdout=io.StringIO())
    assert len(mail.outbox) == 3
    with scopes_disabled():
        keys = sorted(OutgoingMail.objects.values_list("dedupe_key", flat=True))
        assert keys == sorted(
            [
                f"mentoring-checkin:{first.pk}:mentor:1",
                f"mentoring-checkin:{second.pk}:mentee:1",
                f"mentoring-checkin:{second.pk}:mentor:1",
            ]
        )
        assert set(OutgoingMail.objects.values_list("kind", flat=True)) == {MailKind.CHECKIN}
    # The next check-in day brings the next reminder, to those who owe it.
    assert _send(p, today + dt.timedelta(weeks=2)) == 4


def test_the_mail_links_to_the_persons_own_page_and_holds_no_content(world):
    p = _published(world, weeks=2, started_days_ago=15, pairs=1)
    with scopes_disabled():
        pair = Pair.objects.select_related("mentee", "mentor").get(programme=p)
    with scope(practice=world.practice):
        services.agreement_save(signup=pair.mentor, pair=pair, goals="Hemliga mål")
    _send(p, clock.today())
    (to_mentee,) = [m for m in mail.outbox if m.to == [pair.mentee.email]]
    with scopes_disabled():
        link = personal_url(pair.mentee)
    assert link in to_mentee.body
    assert "Hemliga mål" not in to_mentee.body
    assert to_mentee.subject == f"Dags för avstämning 1 i {p.name}"
    assert "/unsubscribe/" in to_mentee.body  # an optional kind
    page = Client().get(urlsplit(link).path)
    assert page.status_code == 200
    assert pair.mentee.name in page.content.decode()


def test_ended_pairs_unpublished_and_finished_programmes_get_no_reminder(world):
    p = _published(world, weeks=2, started_days_ago=14, pairs=1)
    with scopes_disabled():
        pair = Pair.objects.select_related("mentee").get(programme=p)
    with scope(practice=world.practice):
        services.pair_end_early(signup=pair.mentee, pair=pair, reason="Flyttar")
    assert _send(p, clock.today()) == 0
    draft = h.programme(
        world,
        name="Utkast",
        starts_on=clock.today() - dt.timedelta(days=30),
        checkin_every_weeks=1,
    )
    assert _send(draft, clock.today()) == 0
    assert _send(p, p.ends_on + dt.timedelta(days=1)) == 0


def test_a_person_who_turned_reminders_off_gets_none(world):
    p = _published(world, weeks=2, started_days_ago=14, pairs=1)
    with scopes_disabled():
        pair = Pair.objects.select_related("mentee", "mentor").get(programme=p)
        OptOut.objects.create(email=pair.mentee.email, kind=MailKind.CHECKIN)
    _send(p, clock.today())
    assert [m.to[0] for m in mail.outbox] == [pair.mentor.email]


def test_the_sweep_covers_every_practice_and_says_what_it_did(world, capsys):
    _published(world, weeks=2, started_days_ago=15, pairs=2)
    _sweep()
    assert capsys.readouterr().out.strip() == (
        "4 check-in reminders queued (1 published programmes running)"
    )
    assert len(mail.outbox) == 4


def test_publishing_schedules_a_task_on_each_checkin_day(world, monkeypatch):
    from django_tasks.backends.immediate import ImmediateBackend

    from bollplank.mentoring import tasks

    # The tests' immediate backend cannot run work later; the database backend can.
    monkeypatch.setattr(ImmediateBackend, "supports_defer", True)
    planned = []

    class Planned:
        def __init__(self, run_after):
            self.run_after = run_after

        def enqueue(self, **kw):
            planned.append((self.run_after, kw))

    class Task:
        def using(self, run_after):
            return Planned(run_after)

    monkeypatch.setattr(tasks, "remind_checkins", Task())
    p = h.programme(world, starts_on=clock.today(), ends_on=clock.today() + dt.timedelta(weeks=9))
    h.sign_up(p, "mentor", "Maja", years=20)
    h.sign_up(p, "mentee", "Nils")
    with scope(practice=world.practice):
        run = services.matching_run(actor=world.admin, programme=p)
    with TestCase.captureOnCommitCallbacks(execute=True), scope(practice=world.practice):
        services.programme_publish(actor=world.admin, programme=p, run=run)
    tz = ZoneInfo(p.practice.timezone)
    assert [at.astimezone(tz).date() for at, _kw in planned] == reminders.checkin_days(p)
    assert {at.astimezone(tz).time() for at, _kw in planned} == {dt.time(9, 0)}
    assert planned[0][1] == {"practice_id": p.practice_id, "programme_id": p.pk}


def test_the_sweep_reminds_from_nine_in_the_morning_of_the_checkin_day(world):
    p = _published(world, weeks=2, started_days_ago=14, pairs=1)
    tz = ZoneInfo(p.practice.timezone)
    day = p.starts_on + dt.timedelta(weeks=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        night = reminders.checkin_reminders_due(now=dt.datetime.combine(day, dt.time(8, 59), tz))
    assert night == {"programmes": 1, "reminders": 0}
    with TestCase.captureOnCommitCallbacks(execute=True):
        morning = reminders.checkin_reminders_due(now=dt.datetime.combine(day, dt.time(9), tz))
    assert morning == {"programmes": 1, "reminders": 2}
    assert len(mail.outbox) == 2


def test_publishing_with_the_database_backend_waits_for_each_day_and_starts_the_sweep(
    world, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    today = clock.today()
    p = h.programme(world, starts_on=today, ends_on=today + dt.timedelta(weeks=9))
    h.sign_up(p, "mentor", "Maja", years=20)
    h.sign_up(p, "mentee", "Nils")
    with scope(practice=world.practice):
        run = services.matching_run(actor=world.admin, programme=p)
    with TestCase.captureOnCommitCallbacks(execute=True), scope(practice=world.practice):
        services.programme_publish(actor=world.admin, programme=p, run=run)
    waiting = DBTaskResult.objects.filter(status="READY")
    days = sorted(
        r.run_after.astimezone(ZoneInfo(p.practice.timezone)).date()
        for r in waiting.filter(task_path="bollplank.mentoring.tasks.remind_checkins")
    )
    assert days == reminders.checkin_days(p)
    assert (
        waiting.filter(task_path="bollplank.mentoring.tasks.sweep_checkin_reminders").count() == 1
    )
    # However often it is asked for, one sweep waits.
    assert reminders.ensure_reminder_chain() is False
