"""Background work: send a round planned for a date, and remind before its deadline."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from bollplank.core.models import Practice
from bollplank.evaluations import services
from bollplank.evaluations.models import Round


@task()
def send_round(*, practice_id: int, round_id: int) -> int:
    """Send a planned round (nothing if it was sent or removed meanwhile)."""
    practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        rnd = (
            Round.objects.select_related("engagement", "meeting", "questionnaire")
            .filter(pk=round_id)
            .first()
        )
        return services.round_send(rnd=rnd) if rnd is not None else 0


@task()
def remind_round(*, practice_id: int, round_id: int) -> int:
    """Remind those who have not answered a round that is still open."""
    practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        rnd = (
            Round.objects.select_related("engagement", "questionnaire").filter(pk=round_id).first()
        )
        return services.round_remind(rnd=rnd) if rnd is not None else 0
