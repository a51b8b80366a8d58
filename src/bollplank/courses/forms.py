"""Course forms: validation only. The price is typed in kronor and handed on in öre."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from bollplank.clients.models import Client
from bollplank.core.forms import BoundedDateField, KronorField
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.courses.models import Course, Registration
from bollplank.courses.services import REGISTRATION_FIELDS, DayInput
from bollplank.directory.spam import too_fast_or_stale
from bollplank.engagements.enums import Focus, Venue
from bollplank.engagements.forms import DateInput, TimeInput

MAX_DAYS = 10


def _staff(practice: Practice) -> Any:
    return (
        get_user_model()
        .objects.filter(
            memberships__practice=practice, memberships__role__in=[Role.SUPERVISOR, Role.ADMIN]
        )
        .distinct()
        .order_by("name")
    )


class CourseForm(forms.ModelForm):
    price_ore = KronorField(label=_("Price per participant (SEK, excl. VAT)"), max_value=10_000_000)

    class Meta:
        model = Course
        fields = [
            "title",
            "description",
            "audience",
            "place",
            "price_ore",
            "vat_category",
            "capacity",
            "last_registration_day",
            "min_attendance_percent",
            "leader",
            "published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "audience": forms.Textarea(attrs={"rows": 2}),
            "last_registration_day": DateInput(),
        }
        help_texts = {
            "vat_category": _(
                "Education may be exempt from VAT; the invoice then prints the exemption text "
                "from the billing settings."
            ),
            "published": _("Published courses are shown on the practice's public page."),
        }

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leader: Any = self.fields["leader"]
        leader.queryset = _staff(practice)


class DayForm(forms.Form):
    day = BoundedDateField(label=_("Date"), widget=DateInput(), required=False)
    start = forms.TimeField(label=_("From"), widget=TimeInput(), required=False)
    end = forms.TimeField(label=_("To"), widget=TimeInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(k) for k in ("day", "start", "end")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("Give the date and both times, or leave the row empty."))
        return data


class BaseDayFormSet(forms.BaseFormSet):
    def days(self) -> list[DayInput]:
        return [
            DayInput(f.cleaned_data["day"], f.cleaned_data["start"], f.cleaned_data["end"])
            for f in self.forms
            if f.cleaned_data.get("day")
        ]


DayFormSet = forms.formset_factory(
    DayForm, formset=BaseDayFormSet, extra=0, min_num=1, max_num=MAX_DAYS, absolute_max=MAX_DAYS
)


def day_formset(data: Any, course: Course | None, extra_rows: int = 2) -> Any:
    """The course's days as rows, plus empty rows to add more."""
    initial: list[dict[str, dt.date | dt.time]] = []
    if course is not None and course.pk:
        from django.utils import timezone

        for day in course.days.order_by("starts_at"):
            start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
            initial.append({"day": start.date(), "start": start.time(), "end": end.time()})
    initial += [{}] * extra_rows
    return DayFormSet(data, initial=initial, prefix="days")


class RegistrationForm(forms.ModelForm):
    """The public registration form, with the honeypot and signed timestamp the inquiry form
    uses (directory/spam.py)."""

    # The honeypot: hidden from people (and from screen readers); bots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    shown = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Registration
        # One list of what a registration holds: the service writes exactly these.
        fields = list(REGISTRATION_FIELDS)
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization"}),
            "invoice_street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "invoice_postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "invoice_city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["dietary_needs"].help_text = _("E.g. vegetarian, gluten-free, allergies.")

    def is_bot(self) -> bool:
        return bool(self.data.get("website")) or too_fast_or_stale(self.data.get("shown", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        priced = getattr(self, "priced", False)
        if priced and not data.get("organization"):
            self.add_error("organization", _("Who pays? Give the organization to invoice."))
        return data


class AttendanceForm(forms.Form):
    present = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["present"]
        field.choices = [(str(k), v) for k, v in choices]


class FollowUpForm(forms.Form):
    client = SafeModelChoiceField(
        queryset=Client.objects.none(),
        label=_("Client"),
        required=False,
        empty_label=_("A new client from the participants' organization"),
    )
    supervisor = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("Supervisor")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    focus = forms.ChoiceField(label=_("Focus"), choices=Focus.choices)
    meeting_minutes = forms.IntegerField(
        label=_("Meeting length (minutes)"), min_value=15, max_value=480, initial=120
    )
    meetings_ordered = forms.IntegerField(
        label=_("Meetings ordered"), min_value=1, max_value=1000, initial=6
    )
    start_date = BoundedDateField(label=_("Start date"), widget=DateInput())
    end_date = BoundedDateField(label=_("End date"), widget=DateInput())
    venue = forms.ChoiceField(label=_("Venue"), choices=Venue.choices)
    venue_address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client: Any = self.fields["client"]
        client.queryset = Client.objects.filter(practice=practice)
        supervisor: Any = self.fields["supervisor"]
        supervisor.queryset = (
            get_user_model()
            .objects.filter(memberships__practice=practice, memberships__role=Role.SUPERVISOR)
            .order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The engagement ends before it starts."))
        return data
