"""Model runs (core/personal_data_registry.py). A run stores no one's words (models.py): who
owned the case, who led, who spoke in which order and who passed, as participant ids. The
takeaway a case owner writes goes into their own journal (records.journal), not here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from bollplank.core.personal_data_registry import Category, register
from bollplank.engagements.models import Participant
from bollplank.facilitation.enums import RunStatus
from bollplank.facilitation.models import Run


def _participant_ids(user: Any) -> list[int]:
    return list(Participant.objects.filter(user=user).values_list("pk", flat=True))


def _runs(user: Any) -> QuerySet[Run]:
    ids = _participant_ids(user)
    return Run.objects.filter(
        Q(case_owner__in=ids) | Q(leader__in=ids) | Q(started_by=user)
    ).select_related("practice", "meeting")


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    ids = set(_participant_ids(user))
    return [
        {
            "practice": r.practice.name,
            "meeting": str(r.meeting),
            "model": r.model_name,
            "started": r.started_at,
            "finished": r.finished_at,
            "case_owner": r.case_owner_id in ids,
            "led": r.leader_id in ids,
            "started_it": r.started_by_id == user.pk,
            "passed_in_steps": [step for step, pid in r.passes if pid in ids],
            "takeaway_saved": r.takeaway_saved_at,
        }
        for r in _runs(user).order_by("started_at")
    ]


def _owned_or_spoken(user: Any, ids: list[int]) -> QuerySet[Run]:
    return Run.objects.filter(status=RunStatus.FINISHED).filter(
        Q(case_owner__in=ids) | Q(pk__in=_with_passes_or_turns(ids))
    )


def _with_passes_or_turns(ids: list[int]) -> list[int]:
    # JSON lists are searched in Python: the same on SQLite and PostgreSQL, and runs are few.
    wanted = set(ids)
    return [
        pk
        for pk, speakers, passes in Run.objects.filter(status=RunStatus.FINISHED).values_list(
            "pk", "speakers", "passes"
        )
        if wanted & set(speakers) or any(pid in wanted for _step, pid in passes)
    ]


def _erase(user: Any) -> int:
    """A finished run stays as the meeting's record, but no longer says whose case it was,
    nor who spoke or passed. A running run is left alone (its screens rely on the ids); the
    participant row it points at is pseudonymized anyway (engagements.participants)."""
    ids = _participant_ids(user)
    if not ids:
        return 0
    wanted = set(ids)
    count = 0
    for run in _owned_or_spoken(user, ids):
        if run.case_owner_id in wanted:
            run.case_owner = None
        run.speakers = [pid for pid in run.speakers if pid not in wanted]
        run.passes = [[step, pid] for step, pid in run.passes if pid not in wanted]
        run.save(update_fields=["case_owner", "speakers", "passes", "updated_at"])
        count += 1
    return count


register(
    Category(
        key="facilitation.runs",
        label=gettext_lazy("conversation model runs"),
        purpose=gettext_lazy("to lead a structured conversation in a meeting"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("supervisors and participants"),
        recipients=gettext_lazy("the meeting's participants, during the meeting"),
        export=_export,
        erase=_erase,
        count=lambda user: _owned_or_spoken(user, _participant_ids(user)).count(),
        erasure=gettext_lazy(
            "Finished runs stay as the meeting's record but no longer say whose case it was "
            "or who spoke."
        ),
    )
)
