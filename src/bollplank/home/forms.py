from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.core.forms import KronorField
from bollplank.core.models import Practice


class PracticeSettingsForm(forms.ModelForm):
    price_individual_ore = KronorField(
        label=_("Price per individual meeting (SEK, excl. VAT)"),
        required=False,
        help_text=_("New engagements start with this price, e.g. one made from an inquiry."),
    )
    price_group_ore = KronorField(
        label=_("Price per group meeting (SEK, excl. VAT)"), required=False
    )

    class Meta:
        model = Practice
        fields = [
            "name",
            "late_cancellation_hours",
            "travel_buffer_minutes",
            "require_mfa_for_staff",
            "require_mfa_for_contacts",
            "require_mfa_for_participants",
            "session_idle_minutes",
            "session_max_hours",
            "invitation_days",
            "email_signature",
            "price_individual_ore",
            "price_group_ore",
            "quota_alert_percent",
            "idle_alert_weeks",
        ]
        widgets = {"email_signature": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script), the validity stays as it was; left
        # empty, the notices keep their defaults (75 %, 4 weeks).
        for name in ("invitation_days", "quota_alert_percent", "idle_alert_weeks"):
            self.fields[name].required = False

    def clean_invitation_days(self) -> int:
        days = self.cleaned_data.get("invitation_days")
        return self.instance.invitation_days if days is None else int(days)

    def clean_quota_alert_percent(self) -> int:
        return self.cleaned_data.get("quota_alert_percent") or 75

    def clean_idle_alert_weeks(self) -> int:
        return self.cleaned_data.get("idle_alert_weeks") or 4

    def clean_price_individual_ore(self) -> int:
        return self.cleaned_data.get("price_individual_ore") or 0

    def clean_price_group_ore(self) -> int:
        return self.cleaned_data.get("price_group_ore") or 0


class AccessibilityFeedbackForm(forms.Form):
    """A problem with the site's accessibility, reported from the statement."""

    message = forms.CharField(
        label=_("What did you try to do, and what happened?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional, if you want an answer)"),
        required=False,
        max_length=254,
    )
    page = forms.CharField(
        label=_("The address of the page (optional)"), required=False, max_length=500
    )
