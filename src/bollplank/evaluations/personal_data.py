"""Evaluation answers, goals and signed-off hours (core/personal_data_registry.py).

An anonymous round stores no link from a response to the person (models.py), so nobody — not
the person, not an operator — can find their anonymous answers again: the export lists only
that they were asked and answered, and those answers stay, as anonymous as they were. Named
answers are the person's own and are exported with their words.

Erasure and the retention run treat answers alike: the free-text answers go and a named
response loses its participant, so it becomes anonymous. The numbers stay, so the means in the
supervisor's view and the client's report stay correct; the texts in them thin out, visibly.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from bollplank.core.personal_data_registry import Category, Retention, register
from bollplank.engagements.models import Participant
from bollplank.evaluations.enums import MIN_GROUP
from bollplank.evaluations.models import (
    Answer,
    Goal,
    GoalProgress,
    HoursSignoff,
    Invitation,
    Response,
)


def _participants(user: Any) -> QuerySet[Participant]:
    """The person's participant rows: linked to their login, or — for someone invited without
    a login (privacy.services.Address) — found by their address."""
    by_address = Q(user__isnull=True, email__iexact=user.email)
    if user.pk is None:
        return Participant.objects.filter(by_address)
    return Participant.objects.filter(Q(user=user) | by_address)


def _named(user: Any) -> QuerySet[Response]:
    return Response.objects.filter(participant__in=_participants(user))


def _export_answers(user: Any, confidential: bool) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for inv in (
        Invitation.objects.filter(participant__in=_participants(user))
        .select_related("practice", "round__questionnaire", "round__engagement")
        .order_by("round__send_on", "pk")
    ):
        rows[inv.round_id] = {
            "practice": inv.practice.name,
            "questionnaire": inv.round.questionnaire.name,
            "engagement": str(inv.round.engagement),
            "sent": inv.round.send_on,
            "anonymous": inv.round.anonymous,
            "answered": inv.answered_at,
            # An anonymous response is stored without the person: it cannot be found.
            "answers": [],
        }
    for response in (
        _named(user)
        .select_related("practice", "round__questionnaire")
        .prefetch_related("answers__question")
    ):
        answers = [
            {
                "question": a.question.text,
                "number": a.number,
                "text": a.text,
            }
            for a in sorted(response.answers.all(), key=lambda a: a.question.position)
        ]
        row = rows.setdefault(
            response.round_id,
            {
                "practice": response.practice.name,
                "questionnaire": response.round.questionnaire.name,
                "sent": response.round.send_on,
                "anonymous": False,
                "answered": response.submitted_on,
            },
        )
        row["answers"] = answers
    return list(rows.values())


def anonymize(responses: QuerySet[Response]) -> int:
    """Drop the free-text answers of these responses and their link to a participant; the
    numbers stay for the means. Returns how many responses were touched."""
    pks = list(responses.values_list("pk", flat=True))
    Answer.objects.filter(response__in=pks).exclude(text="").update(text="")
    Response.objects.filter(pk__in=pks).update(participant=None)
    return len(pks)


def _erase_answers(user: Any) -> int:
    touched = anonymize(_named(user))
    # The invitations stay (how many were asked and answered is the report's response rate);
    # their links stop working.
    for inv in Invitation.objects.filter(participant__in=_participants(user)):
        inv.token_hash = secrets.token_hex(32)
        inv.save(update_fields=["token_hash"])
    return touched


def _expired_answers(practice: Any, cutoff: dt.datetime) -> QuerySet[Response]:
    """Responses of rounds closed before the cutoff that still name someone or hold words."""
    words = Answer.objects.filter(response=OuterRef("pk")).exclude(text="")
    return Response.objects.filter(practice=practice, round__closes_at__lt=cutoff).filter(
        Q(participant__isnull=False) | Exists(words)
    )


def _answer_practices(user: Any) -> set[int]:
    return set(
        Invitation.objects.filter(participant__in=_participants(user)).values_list(
            "practice_id", flat=True
        )
    ) | set(_named(user).values_list("practice_id", flat=True))


def _export_goals(user: Any, confidential: bool) -> list[dict[str, Any]]:
    own = [
        {
            "practice": g.practice.name,
            "engagement": str(g.engagement),
            "goal": g.title,
            "set": g.created_at,
            "reached": g.reached_on,
        }
        for g in Goal.objects.filter(participant__in=_participants(user)).select_related(
            "practice", "engagement"
        )
    ]
    progress = [
        {
            "practice": p.practice.name,
            "goal": p.goal.title,
            "rating": p.rating,
            "comment": p.comment,
            "at": p.created_at,
        }
        for p in (
            GoalProgress.objects.filter(author=user)
            if user.pk is not None
            else GoalProgress.objects.none()
        ).select_related("practice", "goal")
    ]
    signoffs = [
        {
            "practice": s.practice.name,
            "engagement": str(s.engagement),
            "meetings": s.meetings,
            "hours": s.hours,
            "through": s.through,
            "signed_at": s.signed_at,
        }
        for s in HoursSignoff.objects.filter(participant__in=_participants(user)).select_related(
            "practice", "engagement"
        )
    ]
    return own + progress + signoffs


def _mine_as_participant(user: Any) -> QuerySet[GoalProgress]:
    """Ratings the person gave as a participant (a supervisor's ratings of a group's goal are
    the practice's record of the engagement, and stay with the pseudonymized author)."""
    if user.pk is None:
        return GoalProgress.objects.none()  # without a login no one rates
    return GoalProgress.objects.filter(author=user).exclude(goal__engagement__supervisor=user)


def _erase_goals(user: Any) -> int:
    count = _mine_as_participant(user).delete()[0]
    count += Goal.objects.filter(participant__in=_participants(user)).delete()[0]
    count += HoursSignoff.objects.filter(participant__in=_participants(user)).delete()[0]
    return count


def _count_goals(user: Any) -> int:
    return (
        _mine_as_participant(user).count()
        + Goal.objects.filter(participant__in=_participants(user)).count()
        + HoursSignoff.objects.filter(participant__in=_participants(user)).count()
    )


def _translated_with_min_group(message: str) -> str:
    return gettext(message) % {"n": MIN_GROUP}


# The record of processing states the threshold the report enforces, read from the same
# constant, so that the document cannot promise a rule the code does not keep.
_with_min_group = lazy(_translated_with_min_group, str)


register(
    Category(
        key="evaluations.answers",
        label=gettext_lazy("evaluation answers"),
        purpose=gettext_lazy("to follow up the supervision and report to the client"),
        legal_basis=gettext_lazy("legitimate interest (Art. 6.1 f)"),
        subjects=gettext_lazy("participants"),
        recipients=_with_min_group(
            gettext_noop(
                "the supervisor; the client sees means over at least %(n)s answers, never a name"
            )
        ),
        export=_export_answers,
        erase=_erase_answers,
        count=lambda user: _named(user).count(),
        practices=_answer_practices,
        erasure=gettext_lazy(
            "Named answers become anonymous and lose their written words; the numbers stay "
            "in the means. Anonymous answers cannot be traced to anyone and stay."
        ),
        retention=Retention(expired=_expired_answers, purge=anonymize),
        by_address=True,
    )
)
register(
    Category(
        key="evaluations.goals",
        label=gettext_lazy("goals, goal ratings and signed-off hours"),
        purpose=gettext_lazy("to follow a participant's goals and confirm supervision hours"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("participants"),
        recipients=_with_min_group(
            gettext_noop(
                "the participant and the supervisor; the client sees counts over at least "
                "%(n)s people"
            )
        ),
        export=_export_goals,
        erase=_erase_goals,
        count=_count_goals,
        practices=lambda user: (
            set(
                Goal.objects.filter(participant__in=_participants(user)).values_list(
                    "practice_id", flat=True
                )
            )
            | set(
                HoursSignoff.objects.filter(participant__in=_participants(user)).values_list(
                    "practice_id", flat=True
                )
            )
        ),
        erasure=gettext_lazy(
            "The person's own goals, their ratings and their signed-off hours are removed."
        ),
        by_address=True,
    )
)
