"""Forms of the evaluations app: validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.core.forms import BoundedDateField, IdentityConfirmationForm
from bollplank.evaluations.enums import SCALE_RANGE, Kind, Phase, Scale
from bollplank.evaluations.models import Question, Questionnaire, Section


class QuestionnaireForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name_sv = forms.CharField(label=_("Name (Swedish)"), max_length=160)
    name_en = forms.CharField(label=_("Name (English)"), max_length=160, required=False)
    intro_sv = forms.CharField(
        label=_("Introduction (Swedish)"), max_length=2000, required=False, widget=forms.Textarea
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), max_length=2000, required=False, widget=forms.Textarea
    )
    instrument = forms.ChoiceField(
        label=_("Licensed instrument"),
        choices=[("", "—")] + list(Questionnaire._meta.get_field("instrument").choices or []),
        required=False,
        help_text=_(
            "Only for a licensed instrument. Bollplank ships none of their text: you enter the "
            "questions yourself after recording your licence below."
        ),
    )
    licence_holder = forms.CharField(label=_("Licence holder"), max_length=200, required=False)
    licence_reference = forms.CharField(
        label=_("Licence reference or agreement number"), max_length=200, required=False
    )
    licence_valid_until = BoundedDateField(
        label=_("Licence valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class LicenceForm(forms.Form):
    """The licence of a licensed instrument, edited or renewed."""

    licence_holder = forms.CharField(label=_("Licence holder"), max_length=200)
    licence_reference = forms.CharField(
        label=_("Licence reference or agreement number"), max_length=200
    )
    licence_valid_until = BoundedDateField(
        label=_("Licence valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class SectionForm(forms.Form):
    title_sv = forms.CharField(label=_("Section title (Swedish)"), max_length=160)
    title_en = forms.CharField(label=_("Section title (English)"), max_length=160, required=False)


class QuestionForm(forms.Form):
    text_sv = forms.CharField(label=_("Question (Swedish)"), max_length=300)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices)
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), required=False
    )
    low_sv = forms.CharField(label=_("Low end (Swedish)"), max_length=80, required=False)
    low_en = forms.CharField(label=_("Low end (English)"), max_length=80, required=False)
    high_sv = forms.CharField(label=_("High end (Swedish)"), max_length=80, required=False)
    high_en = forms.CharField(label=_("High end (English)"), max_length=80, required=False)
    function = forms.ChoiceField(
        label=_("Function of supervision"),
        choices=Question._meta.get_field("function").choices or [],
        required=False,
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    def __init__(self, *args: Any, questionnaire: Questionnaire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sections have no practice of their own: reached through the questionnaire only.
        self.fields["section"].queryset = Section.objects.filter(  # type: ignore[attr-defined]
            questionnaire=questionnaire
        )


class RoundForm(forms.Form):
    questionnaire = forms.ChoiceField(label=_("Questionnaire"))
    phase = forms.ChoiceField(label=_("When in the engagement"), choices=Phase.choices)
    anonymous = forms.TypedChoiceField(
        label=_("Answers are"),
        choices=[("1", _("anonymous")), ("0", _("named (you see who answered what)"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    send_on = BoundedDateField(label=_("Send on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = BoundedDateField(
        label=_("Last day to answer"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, questionnaires: list[Questionnaire], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaires = {str(q.pk): q for q in questionnaires}
        self.fields["questionnaire"].choices = [  # type: ignore[attr-defined]
            (str(q.pk), q.name) for q in questionnaires
        ]

    def clean_questionnaire(self) -> Questionnaire:
        return self.questionnaires[self.cleaned_data["questionnaire"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("send_on") and data.get("closes_on") and data["closes_on"] < data["send_on"]:
            self.add_error("closes_on", _("The last day to answer must come after sending."))
        return data


class AfterMeetingForm(forms.Form):
    anonymous = forms.TypedChoiceField(
        label=_("Answers are"),
        choices=[("1", _("anonymous")), ("0", _("named (you see who answered what)"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )


class AnswerForm(IdentityConfirmationForm):
    """One field per question: radio buttons for the scales (big enough to tap on a phone),
    a text area for free text. The service checks the ranges again."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name = f"q{q.pk}"
            if q.scale == Scale.TEXT:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                continue
            if q.scale == Scale.YESNO:
                choices = [("1", _("Yes")), ("0", _("No"))]
            else:
                low, high = SCALE_RANGE[Scale(q.scale)]
                choices = [(str(i), str(i)) for i in range(low, high + 1)]  # type: ignore[misc]
            self.fields[name] = forms.ChoiceField(
                label=q.text,
                choices=choices,
                required=q.required,
                widget=forms.RadioSelect(attrs={"class": f"scale-{q.scale}"}),
                error_messages={
                    "required": _("Answer this question."),
                    "invalid_choice": _("Choose one of the values shown."),
                },
            )
            self.fields[name].question = q  # type: ignore[attr-defined]

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)
    participant = forms.ChoiceField(label=_("Whose goal"), required=False)

    def __init__(self, *args: Any, participants: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in participants}
        self.fields["participant"].choices = [("", _("the group's"))] + [  # type: ignore[attr-defined]
            (str(p.pk), p.name) for p in participants
        ]

    def clean_participant(self) -> Any:
        return self.people.get(self.cleaned_data["participant"])


class ProgressForm(IdentityConfirmationForm):
    rating = forms.TypedChoiceField(
        label=_("How far have you come (0 = not started, 10 = reached)?"),
        choices=[(str(i), str(i)) for i in range(11)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale-line10"}),
        error_messages={"invalid_choice": _("Choose one of the values shown.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
