"""Validation only: the services hold the rules (at least one step, positive times, one leader,
a case owner from the group)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bollplank.core.forms import IdentityConfirmationForm
from bollplank.engagements.models import Participant
from bollplank.facilitation.enums import Speaker
from bollplank.facilitation.models import ConversationModel, MissionPart
from bollplank.facilitation.services.conversation_models import StepData
from bollplank.records.models import MAX_TEXT

_TIME = re.compile(r"^\s*(-?\d{1,4})(?:\s*[:.]\s*(\d{1,2}))?\s*$")


def parse_time(value: str) -> int:
    """Minutes ("5"), or minutes and seconds ("4:30", "0:05"), to seconds. A negative or zero
    time parses, so that the service can say what is wrong with it."""
    match = _TIME.match(value or "")
    if not match:
        raise ValidationError(
            _("Write the time as minutes (5) or minutes:seconds (4:30 or 0:05)."), code="format"
        )
    minutes, seconds = int(match.group(1)), int(match.group(2) or 0)
    if seconds >= 60:
        raise ValidationError(_("Seconds go from 0 to 59."), code="format")
    sign = -1 if minutes < 0 or match.group(1).startswith("-") else 1
    return sign * (abs(minutes) * 60 + seconds)


def format_time(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}" if rest else str(minutes)


class ModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    language = forms.ChoiceField(
        label=_("Language of the texts"), choices=[("sv", "Svenska"), ("en", "English")]
    )


class StepForm(forms.Form):
    name = forms.CharField(label=_("Step"), max_length=120, required=False)
    guiding_text = forms.CharField(
        label=_("Guiding text"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    time = forms.CharField(
        label=_("Time"),
        max_length=10,
        required=False,
        help_text=_("Minutes, or minutes:seconds"),
    )
    speaker = forms.ChoiceField(label=_("Who speaks"), choices=Speaker.choices, required=False)
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def clean_time(self) -> int | None:
        raw = self.cleaned_data.get("time", "")
        return parse_time(raw) if raw.strip() else None

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("name") or "").strip() and data.get("time") is None

    def step(self) -> StepData:
        data = self.cleaned_data
        return StepData(
            name=data.get("name") or "",
            guiding_text=data.get("guiding_text") or "",
            seconds=data.get("time"),
            speaker=data.get("speaker") or "",
        )


StepFormSet = forms.formset_factory(StepForm, extra=2, max_num=30, absolute_max=60)


def steps_from(formset: Any) -> list[StepData]:
    """The rows that hold a step, in order: blank and removed rows drop out."""
    return [
        f.step()
        for f in formset.forms
        if f.is_valid() and not f.cleaned_data.get("DELETE") and not f.is_blank()
    ]


def step_initial(model: ConversationModel) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "guiding_text": s.guiding_text,
            "time": format_time(s.seconds),
            "speaker": s.speaker,
        }
        for s in model.steps.all()
    ]


class RunStartForm(forms.Form):
    """The model, the case owner and the leader. Choices come from the group; what is posted is
    checked by the service, which says in words what is wrong (a person outside the group)."""

    model = forms.TypedChoiceField(label=_("Conversation model"), coerce=int)
    case_owner = forms.TypedChoiceField(
        label=_("Case owner"), coerce=int, required=False, empty_value=None
    )
    leader = forms.CharField(label=_("Conversation leader"), widget=forms.Select, required=False)

    def __init__(
        self,
        *args: Any,
        models: list[ConversationModel],
        members: list[Participant],
        supervisor_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [  # type: ignore[attr-defined]
            (m.pk, f"{m.name} ({m.get_language_display()})") for m in models
        ]
        people = [(p.pk, p.name) for p in members]
        owner = self.fields["case_owner"]
        owner.choices = [("", _("No case owner (e.g. the round)")), *people]  # type: ignore[attr-defined]
        # Accept any id here: the service names the person who is not in the group.
        owner.valid_value = lambda value: True  # type: ignore[attr-defined]
        self.fields["leader"].widget.choices = [
            ("supervisor", _("%(name)s (supervisor)") % {"name": supervisor_name}),
            *people,
        ]


class TakeawayForm(IdentityConfirmationForm):
    takeaway = forms.CharField(
        label=_("What I take with me"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_step = forms.CharField(
        label=_("My next step"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    to_summary = forms.BooleanField(
        label=_("Also add it to the group summary, under my name"),
        help_text=_("Leave it unticked and only you can read it, in your journal."),
        required=False,
    )
    field_order = ["takeaway", "next_step", "to_summary", "confirmed"]


class MissionPartForm(forms.Form):
    title = forms.CharField(label=_("Part of the mission"), max_length=200)
    text = forms.CharField(
        label=_("Text"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_part(cls, part: MissionPart, data: Any = None) -> MissionPartForm:
        return cls(data, initial={"title": part.title, "text": part.text})


class MissionSplitForm(forms.Form):
    text = forms.CharField(
        label=_("The mission, one part per paragraph"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Leave a blank line between parts. The first line of each paragraph names the part."
        ),
    )
