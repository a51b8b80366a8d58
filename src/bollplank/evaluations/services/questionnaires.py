"""Questionnaires: made, copied from a shipped one, and edited (sections and questions) until
they have been sent."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.services import model_update
from bollplank.evaluations.enums import Kind
from bollplank.evaluations.models import (
    Question,
    Questionnaire,
    Section,
)


def questionnaire_create(
    *, actor: Any, practice: Practice, kind: str, name_sv: str, name_en: str = "", **fields: Any
) -> Questionnaire:
    """A practice's own questionnaire. A licensed instrument needs its licence recorded first:
    holder, reference and a validity date that has not passed."""
    q = Questionnaire(practice=practice, kind=kind, name_sv=name_sv, name_en=name_en, **fields)
    if kind == Kind.LICENSED:
        errors: dict[str, str] = {}
        if not q.instrument:
            errors["instrument"] = _("Choose the instrument.")
        errors.update(_licence_errors(q))
        if errors:
            raise ValidationError(errors)
    elif q.instrument:
        # Dropping the chosen instrument would make an unlicensed questionnaire the person
        # did not ask for.
        raise ValidationError(
            {
                "instrument": _(
                    "You chose a licensed instrument: choose the kind “licensed instrument” "
                    "and record its licence, or leave the instrument empty."
                )
            }
        )
    else:
        q.licence_holder = q.licence_reference = ""
        q.licence_valid_until = None
    q.full_clean()
    q.save()
    audit(actor, "evaluations.questionnaire.created", q, {"kind": kind})
    return q


LICENCE_FIELDS = ("licence_holder", "licence_reference", "licence_valid_until")


def _licence_errors(q: Questionnaire) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not q.licence_holder.strip():
        errors["licence_holder"] = _("Record who holds the licence.")
    if not q.licence_reference.strip():
        errors["licence_reference"] = _("Record the licence's reference or agreement number.")
    if q.licence_valid_until is None or q.licence_valid_until < clock.today():
        errors["licence_valid_until"] = _("Record a licence that is valid today.")
    return errors


@transaction.atomic
def questionnaire_licence_update(
    *, actor: Any, questionnaire: Questionnaire, **fields: Any
) -> Questionnaire:
    """Edit or renew the licence of a practice's licensed instrument: the same rules as when it
    was recorded, so a renewed licence is valid today. Its questions stay as they are."""
    if questionnaire.kind != Kind.LICENSED or questionnaire.is_shipped:
        raise ValidationError(_("Only a licensed instrument has a licence to renew."))
    q = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    before = {f: str(getattr(q, f) or "") for f in LICENCE_FIELDS}
    changed = model_update(instance=q, fields=LICENCE_FIELDS, data=fields)
    errors = _licence_errors(q)
    if errors:
        raise ValidationError(errors)
    q.full_clean()
    q.save()
    audit(
        actor,
        "evaluations.questionnaire.licence_updated",
        q,
        {"fields": changed, "before": before, "valid_until": str(q.licence_valid_until)},
    )
    return q


def questionnaire_copy(*, actor: Any, practice: Practice, source: Questionnaire) -> Questionnaire:
    """A practice's own editable copy of a questionnaire (shipped or its own)."""
    if source.kind == Kind.LICENSED:
        raise ValidationError(_("A licensed instrument cannot be copied."))
    with transaction.atomic():
        copy = Questionnaire.objects.create(
            practice=practice,
            kind=source.kind,
            name_sv=_("Copy of %(name)s") % {"name": source.name_sv},
            name_en=source.name_en,
            intro_sv=source.intro_sv,
            intro_en=source.intro_en,
            copied_from=source,
        )
        sections: dict[int, Section] = {}
        for s in source.sections.all():
            sections[s.pk] = Section.objects.create(
                questionnaire=copy, position=s.position, title_sv=s.title_sv, title_en=s.title_en
            )
        for question in source.questions.all():
            question.pk = None
            question.questionnaire = copy
            question.section = sections.get(question.section_id or 0)
            question.save()
        audit(actor, "evaluations.questionnaire.copied", copy, {"from": source.pk})
    return copy


def _editable(questionnaire: Questionnaire) -> None:
    if questionnaire.is_shipped:
        raise ValidationError(_("A shipped questionnaire cannot be changed. Copy it first."))
    if questionnaire.rounds.exists():
        raise ValidationError(
            _("This questionnaire has been sent; changing it would change the meaning of answers.")
        )


def section_add(
    *, actor: Any, questionnaire: Questionnaire, title_sv: str, title_en: str = ""
) -> Section:
    _editable(questionnaire)
    last = questionnaire.sections.order_by("-position").first()
    section = Section(
        questionnaire=questionnaire,
        position=(last.position if last else 0) + 1,
        title_sv=title_sv,
        title_en=title_en,
    )
    section.full_clean()
    section.save()
    audit(actor, "evaluations.section.added", questionnaire, {"section": section.pk})
    return section


def question_add(*, actor: Any, questionnaire: Questionnaire, **fields: Any) -> Question:
    """Add a question at the end. The section, if any, must be the questionnaire's own."""
    _editable(questionnaire)
    section = fields.get("section")
    if section is not None and section.questionnaire_id != questionnaire.pk:
        raise ValidationError({"section": _("Choose a section of this questionnaire.")})
    last = questionnaire.questions.order_by("-position").first()
    question = Question(
        questionnaire=questionnaire, position=(last.position if last else 0) + 1, **fields
    )
    question.full_clean()
    question.save()
    audit(actor, "evaluations.question.added", questionnaire, {"question": question.pk})
    return question


def question_remove(*, actor: Any, question: Question) -> None:
    _editable(question.questionnaire)
    audit(actor, "evaluations.question.removed", question.questionnaire, {"question": question.pk})
    question.delete()


def check_sendable(questionnaire: Questionnaire) -> None:
    """A questionnaire can go out when it has questions and, if licensed, a valid licence."""
    if not questionnaire.questions.exists():
        raise ValidationError(_("The questionnaire has no questions. Add at least one first."))
    if questionnaire.kind == Kind.LICENSED and (
        questionnaire.licence_valid_until is None
        or questionnaire.licence_valid_until < clock.today()
    ):
        raise ValidationError(_("The licence for this instrument has expired. Renew it first."))
