"""Validation only: the programme's settings, the public sign-up, and the pair's own forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from bollplank.clients.models import Client
from bollplank.core.forms import BoundedDateField
from bollplank.core.models import Practice
from bollplank.engagements.forms import DateInput
from bollplank.mentoring.enums import AVAILABILITY, Side
from bollplank.mentoring.models import Programme, SignUp
from bollplank.mentoring.services import PROGRAMME_FIELDS

LIST_HELP = _("Separate with commas.")


class ProgrammeForm(forms.ModelForm):
    starts_on = BoundedDateField(label=_("starts"), widget=DateInput())
    ends_on = BoundedDateField(label=_("ends"), widget=DateInput())
    signup_closes_on = BoundedDateField(label=_("sign-up closes"), widget=DateInput())

    class Meta:
        model = Programme
        fields = list(PROGRAMME_FIELDS)  # the service says which fields a programme has
        field_classes = {"client": SafeModelChoiceField}
        help_texts = {
            "rule_min_years_more": _("Leave empty to not require it."),
            "weight_expertise": _("0–10: how much each part counts in a pair's score."),
        }

    def __init__(
        self,
        *args: Any,
        practice: Practice,
        clients: QuerySet[Client] | None = None,
        client_required: bool = False,
        **kwargs: Any,
    ) -> None:
        """``clients``: the organisations the person may run a programme for (a client contact:
        their own, and then ``client_required``, as a programme without one is the practice's)."""
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = (  # type: ignore[attr-defined]
            clients if clients is not None else Client.objects.filter(practice=practice)
        )
        self.fields["client"].required = client_required


class SignUpForm(forms.ModelForm):
    side = forms.ChoiceField(
        label=_("I sign up as"), choices=Side.choices, widget=forms.RadioSelect
    )
    availability = forms.MultipleChoiceField(
        label=_("When I can meet"),
        choices=AVAILABILITY,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SignUp
        fields = [
            "side",
            "name",
            "email",
            "unit",
            "role_title",
            "manager_email",
            "years",
            "topics",
            "goals",
            "languages",
            "location",
            "availability",
            "capacity",
            "prefer",
            "avoid",
            "free_text",
        ]
        labels = {"topics": _("Areas of expertise (mentor) or needs (mentee)")}
        help_texts = {
            "topics": LIST_HELP,
            "goals": LIST_HELP,
            "languages": _(
                "The languages you can hold the conversations in, e.g. svenska, engelska."
            ),
            "prefer": _(
                "E-mail addresses or names of people in the programme, separated by commas."
            ),
            "avoid": _(
                "E-mail addresses or names of people in the programme, separated by commas."
            ),
            "capacity": _("Mentors only."),
            "manager_email": _("So that nobody is matched with their own manager."),
        }
        widgets = {"free_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["capacity"] = forms.TypedChoiceField(
            label=_("how many mentees"),
            choices=[(k, str(k)) for k in range(1, programme.max_mentees + 1)],
            coerce=int,
            initial=1,
            help_text=_("Mentors only."),
        )
        self.fields["languages"].required = True


class AgreementForm(forms.Form):
    goals = forms.CharField(
        label=_("goals of our mentoring"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResponseForm(forms.Form):
    progress = forms.TypedChoiceField(
        label=_("how is it going (1–5)"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("why the mentoring ends early"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignUpImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Saved from Excel as “CSV UTF-8”; semicolons or commas. Row 1 is the header."),
    )
    send_links = forms.BooleanField(
        label=_("E-mail each person their own link"),
        required=False,
        initial=True,
    )
