"""Background work of mentoring (run by ``manage.py db_worker``): check-in reminders on their
days, and the personal links of imported sign-ups."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled
from django_tasks import task

from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice


@task()
def remind_checkins(*, practice_id: int, programme_id: int) -> int:
    """Remind who owes the programme's latest due check-in (nothing twice; nothing if the
    programme is gone)."""
    from bollplank.mentoring.models import Programme
    from bollplank.mentoring.reminders import checkin_reminders_send

    practice = Practice.objects.filter(pk=practice_id).first()
    if practice is None:
        return 0
    with scope(practice=practice):
        programme = Programme.objects.filter(pk=programme_id).select_related("practice").first()
        return checkin_reminders_send(programme=programme) if programme is not None else 0


@task()
def mail_personal_links(*, practice_id: int, programme_id: int, signup_ids: list[int]) -> int:
    """E-mail each imported person their own link, once (a repeated task sends nothing more)."""
    from bollplank.mentoring.links import personal_url
    from bollplank.mentoring.models import Programme, SignUp

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
