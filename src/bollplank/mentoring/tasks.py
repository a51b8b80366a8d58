"""Background work of mentoring (run by ``manage.py db_worker``): check-in reminders on their
days, and the personal links of imported sign-ups.

Check-in reminders need no cron: publishing schedules ``remind_checkins`` at 09:00 on each
check-in day, and ``sweep_checkin_reminders`` runs every hour and enqueues its own next run
(core.periodic), so that reminders a lost task did not send still go out. The chain is
(re)started by publishing, by the ``send_checkin_reminders`` command and by the worker
(core.periodic: at its start, and after a task at most every few minutes per process)."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled
from django_tasks import task

from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice
from bollplank.mentoring import reminders
from bollplank.mentoring.links import personal_url
from bollplank.mentoring.models import Programme, SignUp


@task()
def remind_checkins(*, practice_id: int, programme_id: int) -> int:
    """Remind who owes the programme's latest due check-in (nothing twice; nothing if the
    programme is gone)."""
    practice = Practice.objects.filter(pk=practice_id).first()
    if practice is None:
        return 0
    with scope(practice=practice):
        programme = Programme.objects.filter(pk=programme_id).select_related("practice").first()
        return reminders.checkin_reminders_send(programme=programme) if programme is not None else 0


@task()
def mail_personal_links(*, practice_id: int, programme_id: int, signup_ids: list[int]) -> int:
    """E-mail each imported person their own link, once (a repeated task sends nothing more)."""
    with scopes_disabled():
        programme = (
            Programme.objects.filter(pk=programme_id, practice_id=practice_id)
            .select_related("practice")
            .first()
        )
    if programme is None:
        return 0
    sent = 0
    with scope(practice=programme.practice):
        for start in range(0, len(signup_ids), 500):
            people = SignUp.objects.filter(
                programme=programme, pk__in=signup_ids[start : start + 500]
            ).order_by("pk")
            for person in people:
                mail = queue_mail(
                    to=person.email,
                    template="mentoring/email/signup",
                    context={
                        "programme": programme,
                        "name": person.name,
                        "personal_url": personal_url(person),
                    },
                    practice=programme.practice,
                    dedupe_key=f"mentoring-link:{person.pk}",
                )
                sent += mail is not None
    return sent


@task()
def sweep_checkin_reminders() -> dict[str, int]:
    """Remind who owes a due check-in in any programme, then enqueue the next sweep."""
    try:
        return reminders.checkin_reminders_due()
    finally:
        reminders.ensure_reminder_chain()
