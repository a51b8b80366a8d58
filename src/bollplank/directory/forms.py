"""Forms of the directory: validation only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import CheckboxSelectMultiple, MultipleChoiceField
from django.utils.translation import gettext_lazy as _

from bollplank.clients.enums import Sector
from bollplank.core.forms import BoundedDateField, IdentityConfirmationForm
from bollplank.directory.enums import PHOTO_MAX_BYTES, InquiryFocus, InquiryStatus, Language
from bollplank.directory.models import Inquiry, PracticePage
from bollplank.directory.services import PROFILE_FIELDS
from bollplank.directory.spam import too_fast_or_stale
from bollplank.engagements.enums import Form


class PracticePageForm(forms.ModelForm):
    class Meta:
        model = PracticePage
        fields = [
            "published",
            "intro",
            "city",
            "contact_email",
            "offers_coaching",
            "offers_mentoring",
            "retention_days",
        ]
        widgets = {"intro": forms.Textarea(attrs={"rows": 6})}


ENTRANCE_CHOICES = [("", _("not stated")), ("yes", _("yes")), ("no", _("no"))]


class ProfileForm(forms.Form):
    published = forms.BooleanField(
        label=_("Show my profile on the practice's page"), required=False
    )
    profession = forms.CharField(
        label=_("Profession"),
        max_length=200,
        required=False,
        help_text=_("For example: psychologist, social worker, teacher."),
    )
    training = forms.CharField(
        label=_("Supervisor training"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: supervisor education, three terms, and where."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors I have worked in"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    approach = forms.CharField(
        label=_("Methods and approach"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    focuses = forms.MultipleChoiceField(
        label=_("Focus I work with"),
        choices=[
            (InquiryFocus.PROCESS, InquiryFocus.PROCESS.label),
            (InquiryFocus.CASE, InquiryFocus.CASE.label),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages I supervise in"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    premises_address = forms.CharField(
        label=_("Address of my premises"), max_length=300, required=False
    )
    premises_city = forms.CharField(label=_("City of my premises"), max_length=100, required=False)
    accessible_entrance = forms.ChoiceField(
        label=_("Accessible entrance (no steps, or a ramp or lift)"),
        choices=ENTRANCE_CHOICES,
        required=False,
    )
    offers_video = forms.BooleanField(label=_("I also meet by video"), required=False)
    travels = forms.BooleanField(label=_("I travel to the client"), required=False)
    travel_km = forms.IntegerField(
        label=_("How far I travel (km)"), min_value=1, max_value=2000, required=False
    )
    weekly_hours = forms.IntegerField(
        label=_("Hours a week for supervision"),
        min_value=0,
        max_value=60,
        required=False,
        help_text=_("Not shown to visitors: used to see whether you have room for a new inquiry."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 2 MB."),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    # Declared last: the field is named like the module it comes from.
    forms = MultipleChoiceField(
        label=_("Forms I offer"),
        choices=Form.choices,
        required=False,
        widget=CheckboxSelectMultiple,
    )

    # The service says which fields a profile has (as billing settings do).
    field_order = [*PROFILE_FIELDS, "photo"]

    def clean_photo(self) -> bytes | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo is larger than %(mb)d MB. Choose a smaller one."),
                params={"mb": PHOTO_MAX_BYTES // (1024 * 1024)},
                code="photo_too_large",
            )
        return bytes(upload.read())

    def clean_accessible_entrance(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("accessible_entrance") or "")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("photo", None)
        data.pop("remove_photo", None)
        return data

    @staticmethod
    def initial_from(profile: Any) -> dict[str, Any]:
        initial = {k: getattr(profile, k) for k in PROFILE_FIELDS}
        initial["accessible_entrance"] = {True: "yes", False: "no"}.get(
            profile.accessible_entrance, ""
        )
        return initial


class InquiryForm(IdentityConfirmationForm, forms.ModelForm):
    """The public inquiry form, with a honeypot and a signed timestamp against bots."""

    wished_start = BoundedDateField(
        label=_("Wished start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the practice stores what I have written and my contact details to "
            "answer my inquiry. They are deleted when they are no longer needed."
        ),
        error_messages={"required": _("We can only store your inquiry with your consent.")},
    )
    # The honeypot: hidden from people (and from screen readers); bots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    shown = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Inquiry
        fields = [
            "organization",
            "sector",
            "form",
            "group_size",
            "focus",
            "place",
            "city",
            "language",
            "wished_start",
            "rhythm",
            "message",
            "name",
            "email",
            "phone",
        ]
        widgets = {
            "form": forms.RadioSelect,
            "focus": forms.RadioSelect,
            "place": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 6}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization"}),
        }
        help_texts = {
            "group_size": _("Only for group supervision: at least 2."),
            "focus": _(
                "Process: your own experiences of the work, here and now. Case: a specific "
                "client case or workplace problem."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # The identity-number confirmation belongs right under the message it is about.
        fields = list(self.fields)
        fields.remove("confirmed")
        fields.insert(fields.index("message") + 1, "confirmed")
        self.order_fields(fields)
        self.fields["sector"].choices = [("", "–")] + list(Sector.choices)  # type: ignore[attr-defined]
        # Radio buttons need no empty "---------" choice: none is chosen until the visitor
        # chooses, and the field still says so when left empty.
        for name in ("form", "focus", "place"):
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]  # type: ignore[attr-defined]
        # A list's empty choice reads as a dash, as the sector's does, not "---------".
        for field in self.fields.values():
            choices = getattr(field, "choices", None)
            if isinstance(field.widget, forms.Select) and choices and choices[0][1] == "---------":
                field.choices = [("", "–"), *choices[1:]]  # type: ignore[attr-defined]

    def is_bot(self) -> bool:
        """The honeypot is filled, or the form came back too fast (or with a forged or stale
        timestamp). Checked before anything is stored."""
        return bool(self.data.get("website")) or too_fast_or_stale(self.data.get("shown", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("form") == Form.GROUP and not data.get("group_size"):
            self.add_error("group_size", _("How many are in the group? A group has at least 2."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=InquiryStatus.choices)


class ReplyForm(IdentityConfirmationForm):
    body = forms.CharField(
        label=_("Answer by e-mail"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ConvertForm(forms.Form):
    supervisor = forms.TypedChoiceField(label=_("Supervisor"), coerce=int)

    def __init__(self, *args: Any, supervisors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].choices = [(u.pk, u.name) for u in supervisors]  # type: ignore[attr-defined]
