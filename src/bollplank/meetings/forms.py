from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.core.forms import BoundedDateField, KeptSecretForm
from bollplank.engagements.enums import Focus
from bollplank.engagements.forms import DateInput, TimeInput
from bollplank.meetings.enums import CancelledBy
from bollplank.meetings.models import MAX_REASON


class SeriesForm(forms.Form):
    first_day = BoundedDateField(label=_("First meeting"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480)
    interval_weeks = forms.IntegerField(
        label=_("Every … weeks"), min_value=1, max_value=52, initial=2
    )
    end_mode = forms.ChoiceField(
        label=_("The series ends"),
        choices=[("count", _("after a number of meetings")), ("until", _("on a date"))],
        widget=forms.RadioSelect,
        initial="count",
    )
    count = forms.IntegerField(
        label=_("Number of meetings"), min_value=1, max_value=200, required=False
    )
    until = BoundedDateField(label=_("Last date"), widget=DateInput(), required=False)
    skip_holidays = forms.BooleanField(
        label=_("Skip Swedish public holidays"), required=False, initial=True
    )
    focus = forms.ChoiceField(
        label=_("Focus"),
        choices=[("", _("as the engagement"))] + list(Focus.choices),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("end_mode")
        if mode == "count" and not data.get("count"):
            self.add_error("count", _("Give the number of meetings."))
        if mode == "until":
            until, first = data.get("until"), data.get("first_day")
            if not until:
                self.add_error("until", _("Give the last date."))
            elif first and until < first:
                self.add_error(
                    "until",
                    _("The series ends (%(until)s) before it starts (%(first)s).")
                    % {"until": until.isoformat(), "first": first.isoformat()},
                )
        return data


class MeetingForm(forms.Form):
    day = BoundedDateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480)
    focus = forms.ChoiceField(
        label=_("Focus"),
        choices=[("", _("as the engagement"))] + list(Focus.choices),
        required=False,
    )
    held = forms.BooleanField(
        label=_("It has already been held: record it with its attendance"),
        required=False,
    )
    # Asked for only once the service has said the meeting goes past the order.
    over_order_ok = forms.BooleanField(label=_("Yes, plan past the order"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asks_over_order = bool(self.data.get("over_order_ok"))


class MoveForm(forms.Form):
    day = BoundedDateField(label=_("New date"), widget=DateInput())
    time = forms.TimeField(label=_("New time"), widget=TimeInput())
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480)


class FocusForm(forms.Form):
    focus = forms.ChoiceField(label=_("Focus of this meeting"), choices=Focus.choices)


class CancelForm(forms.Form):
    cancelled_by = forms.ChoiceField(
        label=_("Who cancelled?"), choices=CancelledBy.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the meeting; the client contact does not see it."),
    )


class CorrectForm(forms.Form):
    day = BoundedDateField(label=_("Date it was held"), widget=DateInput())
    time = forms.TimeField(label=_("Time it began"), widget=TimeInput())
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Jitsi's HS256 secret: shorter ones are guessable offline from any join link.
MIN_SECRET_LENGTH = 32


class VideoServerForm(KeptSecretForm):
    """The practice's Jitsi Meet server; its app secret is never shown back."""

    base_url = forms.URLField(
        label=_("Server address"),
        max_length=200,
        assume_scheme="https",
        help_text=_("The address of your own Jitsi Meet server, e.g. https://video.example.se."),
    )
    app_id = forms.CharField(
        label=_("App id"),
        max_length=100,
        help_text=_("The app id (JWT_APP_ID) the server's token authentication is set up with."),
    )
    secret_min_length = MIN_SECRET_LENGTH
    secret_help = _("The app secret (JWT_APP_SECRET), at least %(n)d characters.")
    secret_missing = _("Give the server's app secret.")
    secret_too_short = _("The app secret must be at least %(n)d characters long.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].label = _("App secret")

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"]
        parts = urlsplit(url)
        # The join links carry tokens: never over plain http, never with a query or fragment
        # that the room's name would be appended after.
        if parts.scheme != "https" or parts.query or parts.fragment or parts.username:
            raise forms.ValidationError(
                _("Give the server's address starting with https://, without ? or #.")
            )
        return url.rstrip("/")
