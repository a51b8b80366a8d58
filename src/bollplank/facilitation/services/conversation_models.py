"""Conversation models: a practice's own models of steps, times and speakers, made, copied and
deleted (the shipped ones are read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.facilitation.enums import (
    MAX_STEP_SECONDS,
    MAX_STEPS,
    MIN_STEP_SECONDS,
    Speaker,
)
from bollplank.facilitation.models import (
    ConversationModel,
    Step,
)


@dataclass
class StepData:
    name: str
    guiding_text: str
    seconds: int | None
    speaker: str


def check_steps(steps: list[StepData]) -> None:
    """A model needs at least one step, and every step a name and a positive time."""
    if not steps:
        raise ValidationError(
            _("A conversation model needs at least one step. Add a step with a name and a time."),
            code="no_steps",
        )
    if len(steps) > MAX_STEPS:
        raise ValidationError(
            _("A conversation model has at most %(max)d steps.") % {"max": MAX_STEPS},
            code="too_many_steps",
        )
    for number, step in enumerate(steps, start=1):
        if not step.name.strip():
            raise ValidationError(
                _("Step %(n)d needs a name.") % {"n": number}, code="step_without_name"
            )
        if step.seconds is None or step.seconds < MIN_STEP_SECONDS:
            raise ValidationError(
                _(
                    "Step %(n)d (%(name)s) has no time left to run: give it a time of at least "
                    "one second, such as 5 for five minutes or 0:30 for thirty seconds."
                )
                % {"n": number, "name": step.name},
                code="step_time",
            )
        if step.seconds > MAX_STEP_SECONDS:
            raise ValidationError(
                _("Step %(n)d (%(name)s) is longer than four hours.")
                % {"n": number, "name": step.name},
                code="step_time",
            )
        if step.speaker not in Speaker.values:
            raise ValidationError(
                _("Step %(n)d: choose who speaks.") % {"n": number}, code="speaker"
            )


@transaction.atomic
def model_save(
    *,
    actor: Any,
    practice: Practice,
    model: ConversationModel | None,
    name: str,
    description: str,
    language: str,
    steps: list[StepData],
) -> ConversationModel:
    """Create a practice's own model, or replace the name and steps of one it owns."""
    if model is not None and model.practice_id != practice.pk:
        raise ValidationError(_("A shipped model cannot be changed: copy it first."))
    if not name.strip():
        raise ValidationError({"name": _("Give the model a name.")})
    check_steps(steps)
    if model is None:
        model = ConversationModel(practice=practice)
    model.name = name.strip()
    model.description = description.strip()
    model.language = language
    model.full_clean(exclude=["practice", "copied_from", "key"])
    model.save()
    model.steps.all().delete()
    Step.objects.bulk_create(
        Step(
            model=model,
            position=i,
            name=s.name.strip(),
            guiding_text=s.guiding_text.strip(),
            seconds=s.seconds or 0,
            speaker=s.speaker,
        )
        for i, s in enumerate(steps, start=1)
    )
    audit(actor, "facilitation.model.saved", model, {"steps": len(steps)})
    return model


@transaction.atomic
def model_copy(*, actor: Any, practice: Practice, source: ConversationModel) -> ConversationModel:
    """A practice's own editable copy of a shipped model (or of one of its own)."""
    if source.practice_id not in {None, practice.pk}:
        raise ValidationError(_("That model is not available here."))
    copy = ConversationModel.objects.create(
        practice=practice,
        name=_("%(name)s (copy)") % {"name": source.name},
        description=source.description,
        language=source.language,
        copied_from=source,
    )
    Step.objects.bulk_create(
        Step(
            model=copy,
            position=s.position,
            name=s.name,
            guiding_text=s.guiding_text,
            seconds=s.seconds,
            speaker=s.speaker,
        )
        for s in source.steps.all()
    )
    audit(actor, "facilitation.model.copied", copy, {"from": source.pk})
    return copy


@transaction.atomic
def model_delete(*, actor: Any, model: ConversationModel) -> None:
    if model.practice_id is None:
        raise ValidationError(_("A shipped model cannot be deleted."))
    audit(actor, "facilitation.model.deleted", model)
    model.delete()
