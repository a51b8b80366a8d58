from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.forms import BoundedDateField, DecimalInputField, validate_date_in_range
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.enums import DEFAULT_MINUTES, AttendanceVisibility, Form, Status
from bollplank.engagements.models import Engagement
from bollplank.engagements.services import PersonInput

MAX_PARTICIPANTS = 40


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def parse_people(text: str) -> list[PersonInput]:
    """One person per line: ``Name, e-mail`` (or ``Name <e-mail>``). Errors name the line."""
    people: list[PersonInput] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = re.match(r"^(?P<name>.+?)\s*(?:,|<)\s*(?P<email>[^,<>\s]+@[^,<>\s]+)\s*>?$", line)
        if not match:
            errors.append(
                str(
                    _("Line %(n)d: write the name, a comma and the e-mail address.") % {"n": number}
                )
            )
            continue
        email = match["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                str(
                    _("Line %(n)d: “%(email)s” is not an e-mail address.")
                    % {"n": number, "email": email[:80]}
                )
            )
            continue
        people.append(PersonInput(name=match["name"].strip()[:200], email=email))
    if errors:
        raise ValidationError(errors)
    if len(people) > MAX_PARTICIPANTS:
        raise ValidationError(
            _("At most %(max)d participants at a time.") % {"max": MAX_PARTICIPANTS}
        )
    return people


class EngagementForm(forms.ModelForm):
    # Tenant querysets only exist inside a request's scope: set in __init__.
    client = SafeModelChoiceField(queryset=Client.objects.none(), label=_("Client"))
    price_kr = DecimalInputField(
        label=_("Price per meeting (SEK, excl. VAT)"),
        min_value=Decimal(0),
        max_value=Decimal(10_000_000),
        decimal_places=2,
        required=False,
    )
    participants_text = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: name, e-mail. A group has at least 2; individual supervision 1."
        ),
        max_length=20000,
    )

    class Meta:
        model = Engagement
        fields = [
            "client",
            "supervisor",
            "title",
            "form",
            "focus",
            "meeting_minutes",
            "meetings_ordered",
            "start_date",
            "end_date",
            "venue",
            "venue_address",
            "video_url",
            "submission_hours_before",
            "attendance_visibility",
            "expectations",
            "goals",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "expectations": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "video_url": _(
                "Leave it empty to meet in the practice's own video rooms, if the practice has "
                "set up its video server (Settings, Video meetings): each meeting then gets its "
                "own room and each person their own link."
            )
        }

    def __init__(
        self,
        *args: Any,
        practice: Practice,
        actor: Any,
        roles: frozenset[str],
        creating: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        client_field: Any = self.fields["client"]
        client_field.queryset = Client.objects.filter(practice=practice)
        supervisors = (
            get_user_model()
            .objects.filter(memberships__practice=practice, memberships__role=Role.SUPERVISOR)
            .order_by("name")
        )
        if Role.ADMIN not in roles:
            # A supervisor plans their own engagements.
            supervisors = supervisors.filter(pk=actor.pk)
        supervisor_field: Any = self.fields["supervisor"]
        supervisor_field.queryset = supervisors
        supervisor_field.label_from_instance = lambda u: u.name or u.email
        self.fields["meeting_minutes"].required = False
        self.fields["submission_hours_before"].required = False
        self.fields["submission_hours_before"].initial = 24
        self.fields["meeting_minutes"].help_text = _("Default: 60 for individual, 120 for group.")
        self._attendance_visibility_field(creating=creating)
        if self.instance.pk:
            self.fields["price_kr"].initial = Decimal(self.instance.price_per_meeting_ore) / 100
        if not creating:
            del self.fields["participants_text"]
            # Ending an engagement is an edit; a new one always starts active.
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=Status.choices, initial=self.instance.status
            )
        if not self.is_bound and not self.instance.pk:
            today = clock.today()
            self.initial.setdefault("start_date", today)
            self.initial.setdefault("end_date", today + dt.timedelta(days=180))
            if supervisors.filter(pk=actor.pk).exists():
                self.initial.setdefault("supervisor", actor.pk)

    def _attendance_visibility_field(self, *, creating: bool) -> None:
        field: Any = self.fields["attendance_visibility"]
        field.label = _("What the client sees of attendance")
        field.help_text = _(
            "As agreed with the client. Per meeting shows a single participant's attendance "
            "in individual supervision."
        )
        if creating:
            # Left open, the model gives the default for the form.
            default = ("", _("Default: counts per term if individual, per meeting if group"))
            field.choices = [default, *AttendanceVisibility.choices]
        else:
            # Not sent (an older form, a script): what was agreed stays.
            field.required = False
            field.choices = AttendanceVisibility.choices

    def clean_participants_text(self) -> list[PersonInput]:
        return parse_people(self.cleaned_data["participants_text"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("submission_hours_before") is None:
            data["submission_hours_before"] = 24
        if not data.get("attendance_visibility") and self.instance.pk:
            data["attendance_visibility"] = self.instance.attendance_visibility
        if not data.get("meeting_minutes") and data.get("form"):
            data["meeting_minutes"] = DEFAULT_MINUTES[Form(data["form"])]
            self.instance.meeting_minutes = data["meeting_minutes"]
        for name in ("start_date", "end_date"):
            if data.get(name):
                try:
                    validate_date_in_range(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
                    data.pop(name, None)
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The engagement ends before it starts."))
        return data

    def _post_clean(self) -> None:
        # Model validation runs in the service, after the defaults above are filled in.
        pass

    def service_fields(self) -> dict[str, Any]:
        data = {
            k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields or k == "status"
        }
        price = self.cleaned_data.get("price_kr") or Decimal(0)
        data["price_per_meeting_ore"] = int((price * 100).to_integral_value())
        return data


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    joined_on = BoundedDateField(label=_("Joins on"), widget=DateInput())


class LeaveForm(forms.Form):
    left_on = BoundedDateField(label=_("Leaves on"), widget=DateInput())
