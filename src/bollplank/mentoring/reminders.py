"""Check-in reminders: on each check-in day, an e-mail to each member of an active pair who has
not yet answered that check-in, once per check-in and person.

Check-in n of a programme falls on ``starts_on + n × checkin_every_weeks`` (as the person's own
page counts them) up to the programme's end; a person has answered check-in n when they have
given n check-ins. The mail says only that a check-in is due and links to the person's own page
(a signed link, mentoring.links): nothing the pair wrote. Each mail carries a dedupe key
(pair, side, check-in number) in the outbox, so running the sweep again sends nothing twice.

A check-in falls due at 09:00 in the practice's time zone on its day. Three triggers, all safe
to repeat (mentoring.tasks): publishing the pairs schedules a task at that moment of each
check-in day; the worker's hourly sweep catches anything a lost task did not send; and the
``send_checkin_reminders`` command does one sweep by hand (or from cron, with a task backend
that cannot run work later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.mail import queue_mail
from bollplank.core.periodic import ensure_pending
from bollplank.core.tasking import task_at
from bollplank.mentoring.enums import PairStatus, ResponseKind, Side
from bollplank.mentoring.links import personal_url
from bollplank.mentoring.models import Pair, Programme, SignUp
from bollplank.notifications.enums import MailKind
from bollplank.notifications.models import OutgoingMail

REMIND_AT = dt.time(9, 0)
# The worker's tasks (mentoring/tasks.py), enqueued by reference (core/tasking.py).
REMIND_CHECKINS = "bollplank.mentoring.tasks.remind_checkins"
SWEEP_CHECKINS = "bollplank.mentoring.tasks.sweep_checkin_reminders"
# How often the sweep runs.
CHAIN_INTERVAL = dt.timedelta(hours=1)
KEY = "mentoring-checkin:{pair}:{side}:{number}"


def checkin_days(programme: Programme) -> list[dt.date]:
    """The programme's check-in days, in order (check-in 1 first)."""
    step = dt.timedelta(weeks=max(1, programme.checkin_every_weeks))
    days = []
    day = programme.starts_on + step
    while day <= programme.ends_on:
        days.append(day)
        day += step
    return days


def checkins_due(programme: Programme, today: dt.date) -> int:
    """How many check-ins have fallen due by ``today`` (0 before the first)."""
    return sum(1 for day in checkin_days(programme) if day <= today)


@dataclass(frozen=True)
class Due:
    pair: Pair
    person: SignUp
    side: str
    number: int

    @property
    def key(self) -> str:
        return KEY.format(pair=self.pair.pk, side=self.side, number=self.number)


def reminders_due(programme: Programme, today: dt.date) -> list[Due]:
    """Who owes the latest due check-in and has not been reminded of it (three queries)."""
    if programme.published_at is None or today > programme.ends_on:
        return []
    number = checkins_due(programme, today)
    if not number:
        return []
    mine = Q(responses__kind=ResponseKind.CHECKIN)
    pairs = (
        Pair.objects.filter(programme=programme, status=PairStatus.ACTIVE)
        .select_related("mentee", "mentor")
        .annotate(
            mentee_checkins=Count("responses", filter=mine & Q(responses__side=Side.MENTEE)),
            mentor_checkins=Count("responses", filter=mine & Q(responses__side=Side.MENTOR)),
        )
        .order_by("pk")
    )
    due = []
    for pair in pairs:
        if pair.mentee_checkins < number:  # type: ignore[attr-defined]
            due.append(Due(pair, pair.mentee, Side.MENTEE, number))
        if pair.mentor_checkins < number:  # type: ignore[attr-defined]
            due.append(Due(pair, pair.mentor, Side.MENTOR, number))
    sent: set[str] = set()
    keys = [d.key for d in due]
    with scopes_disabled():
        for start in range(0, len(keys), 500):
            sent.update(
                key
                for key in OutgoingMail.objects.filter(
                    dedupe_key__in=keys[start : start + 500]
                ).values_list("dedupe_key", flat=True)
                if key
            )
    return [d for d in due if d.key not in sent]


def checkin_reminders_send(*, programme: Programme, today: dt.date | None = None) -> int:
    """Queue the reminders of the programme's latest due check-in. Returns how many."""
    today = today or clock.today(ZoneInfo(programme.practice.timezone))
    due = reminders_due(programme, today)
    if not due:
        return 0
    day = checkin_days(programme)[due[0].number - 1]
    queued = 0
    with transaction.atomic():
        for d in due:
            mail = queue_mail(
                to=d.person.email,
                template="mentoring/email/checkin_reminder",
                context={
                    "name": d.person.name,
                    "programme": programme.name,
                    "number": d.number,
                    "day": day,
                    "personal_url": personal_url(d.person),
                    "practice_name": programme.practice.name,
                },
                kind=MailKind.CHECKIN,
                practice=programme.practice,
                dedupe_key=d.key,
            )
            queued += mail is not None
        if queued:
            audit(
                None,
                "mentoring.checkin.reminded",
                programme,
                {"number": due[0].number, "reminders": queued},
            )
    return queued


def checkin_reminders_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The sweep over every practice: each published programme running on its own day."""
    now = now or clock.now()
    with scopes_disabled():
        programmes = list(
            Programme.objects.filter(published_at__isnull=False)
            .filter(ends_on__gte=(now - dt.timedelta(days=1)).date())
            .select_related("practice")
            .order_by("pk")
        )
    counts = {"programmes": 0, "reminders": 0}
    for programme in programmes:
        local = timezone.localtime(now, ZoneInfo(programme.practice.timezone))
        # Before 09:00 today's check-in is not due yet (no reminders in the night).
        today = local.date() if local.time() >= REMIND_AT else local.date() - dt.timedelta(days=1)
        with scope(practice=programme.practice):
            sent = checkin_reminders_send(programme=programme, today=today)
        counts["programmes"] += 1
        counts["reminders"] += sent
    return counts


def schedule_checkin_reminders(programme: Programme) -> int:
    """After publishing: a task at 09:00 on each coming check-in day, where the task backend
    can run work later (the sweep command covers the others). Returns how many."""
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return 0
    tz = ZoneInfo(programme.practice.timezone)
    now = clock.now()
    moments = [
        at
        for day in checkin_days(programme)
        if (at := dt.datetime.combine(day, REMIND_AT, tzinfo=tz)) > now
    ]
    practice_id, programme_id = programme.practice_id, programme.pk

    def start() -> None:
        for at in moments:
            task_at(REMIND_CHECKINS).using(run_after=at).enqueue(
                practice_id=practice_id, programme_id=programme_id
            )
        ensure_reminder_chain()

    transaction.on_commit(start)
    return len(moments)


def ensure_reminder_chain(*, delay: dt.timedelta = CHAIN_INTERVAL) -> bool:
    """Make sure a run of ``sweep_checkin_reminders`` is waiting (database task backend only)."""
    return ensure_pending(task_at(SWEEP_CHECKINS), delay=delay)
