from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.booking.models import BookingSettings, Place, Weekday
from bollplank.core.forms import BoundedDateField
from bollplank.engagements.forms import DateInput, TimeInput


class SettingsForm(forms.ModelForm):
    class Meta:
        model = BookingSettings
        fields = [
            "notice_hours",
            "horizon_days",
            "buffer_minutes",
            "travel_minutes",
            "first_talk_minutes",
            "first_talk_place",
        ]


class HoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    start = forms.TimeField(label=_("From"), widget=TimeInput())
    end = forms.TimeField(label=_("To"), widget=TimeInput())
    place = forms.ChoiceField(label=_("Place"), choices=Place.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        return data


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("closed", _("closed")), ("open", _("extra open time"))],
        widget=forms.RadioSelect,
        initial="closed",
    )
    first_day = BoundedDateField(label=_("From date"), widget=DateInput())
    last_day = BoundedDateField(
        label=_("To date"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for one day."),
    )
    start = forms.TimeField(
        label=_("From time"),
        widget=TimeInput(),
        required=False,
        help_text=_(
            "Leave both times empty for whole days (an open holiday gets its usual hours)."
        ),
    )
    end = forms.TimeField(label=_("To time"), widget=TimeInput(), required=False)
    place = forms.ChoiceField(
        label=_("Place (extra open time)"),
        choices=[("", "—"), *Place.choices],
        required=False,
    )


class UploadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    file = forms.FileField(label=_("Calendar file (.ics)"))


class SubscribeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("Subscription address (ICS)"),
        max_length=1000,
        help_text=_("The private ICS address your calendar offers (https:// or webcal://)."),
    )


class LinkForm(forms.Form):
    engagement = forms.TypedChoiceField(label=_("Engagement"), coerce=int)
    label = forms.CharField(
        label=_("For whom"),
        max_length=200,
        help_text=_("Only for you, to tell the links apart (e.g. the inquiry's name)."),
    )

    def __init__(self, *args: Any, engagements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engagement"].choices = [(e.pk, e.title) for e in engagements]  # type: ignore[attr-defined]


class SlotForm(forms.Form):
    """The free time chosen: its start as an ISO timestamp from the list offered."""

    start = forms.CharField(
        label=_("Time"),
        error_messages={"required": _("Choose one of the free times.")},
    )

    def clean_start(self) -> dt.datetime:
        raw = self.cleaned_data["start"]
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(_("Choose one of the free times.")) from None
        if value.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the free times."))
        return value.astimezone(dt.UTC)
