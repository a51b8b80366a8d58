"""Answering a round through a personal link: who may answer, checking the answers, and
keeping them apart from the person (never an answer in the audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.identity import guard_identity_numbers
from bollplank.evaluations.enums import SCALE_RANGE, Scale
from bollplank.evaluations.models import (
    Answer,
    Invitation,
    Question,
    Response,
)

MAX_TEXT = 4000


def check_answerable(invitation: Invitation, user: Any, now: dt.datetime | None = None) -> None:
    """Refuse a closed round, an answered invitation, and a link used by someone else: a
    signed-in person who is not the invited participant."""
    if user is not None and user.is_authenticated and invitation.participant.user_id != user.pk:
        raise ValidationError(
            _("This link was sent to someone else. Use the link in your own e-mail."),
            code="other_person",
        )
    if invitation.answered_at is not None:
        raise ValidationError(_("You have already answered. Thank you!"), code="answered")
    if invitation.round.closes_at <= (now or clock.now()):
        raise ValidationError(_("The time to answer has passed."), code="closed")


def clean_answers(questions: list[Question], data: dict[int, Any]) -> dict[int, int | str]:
    """Check each answer against its question: required ones given, numbers in the scale's
    range, texts not too long. Unknown questions are ignored."""
    errors: dict[str, list[str]] = {}
    clean: dict[int, int | str] = {}
    for q in questions:
        value = data.get(q.pk)
        key = f"q{q.pk}"
        if value in (None, ""):
            if q.required:
                errors[key] = [_("Answer this question.")]
            continue
        if q.scale == Scale.TEXT:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors[key] = [_("Keep the answer under %(n)s characters.") % {"n": MAX_TEXT}]
            elif text:
                clean[q.pk] = text
            continue
        low, high = SCALE_RANGE[Scale(q.scale)]
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            errors[key] = [
                _("Choose a value from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
            continue
        clean[q.pk] = number
    if not clean and not errors:
        errors["__all__"] = [_("Answer at least one question.")]
    if errors:
        raise ValidationError(errors)
    return clean


def response_submit(
    *,
    invitation: Invitation,
    user: Any,
    data: dict[int, Any],
    confirmed: bool = False,
    now: dt.datetime | None = None,
) -> Response:
    """Save one person's answers, once. Two posts at the same moment: one wins, the other is
    told it has already answered (a conditional update claims the invitation)."""
    now = now or clock.now()
    check_answerable(invitation, user, now)
    rnd = invitation.round
    questions = list(rnd.questionnaire.questions.all())
    clean = clean_answers(questions, data)
    guard_identity_numbers(
        {f"q{qid}": value for qid, value in clean.items() if isinstance(value, str)},
        confirmed=confirmed,
    )
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            answered_at=now
        )
        if not claimed:
            raise ValidationError(_("You have already answered. Thank you!"), code="answered")
        if rnd.closes_at <= now:
            raise ValidationError(_("The time to answer has passed."), code="closed")
        response = Response.objects.create(
            practice=rnd.practice,
            round=rnd,
            participant=None if rnd.anonymous else invitation.participant,
            submitted_on=timezone.localdate(now),
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question_id=qid,
                number=value if isinstance(value, int) else None,
                text=value if isinstance(value, str) else "",
            )
            for qid, value in clean.items()
        )
        # The event names the round, not the response: an anonymous answer stays unlinked.
        audit(
            user if user is not None and user.is_authenticated else None,
            "evaluations.round.answered",
            rnd,
            {},
            practice=rnd.practice,
        )
    invitation.answered_at = now
    return response
