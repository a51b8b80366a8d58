from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.notifications.enums import OPTIONAL_KINDS, MailKind
from bollplank.notifications.models import NotificationSettings


class SettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["reminder_hours", "question_reminder_hours"]
        widgets = {
            "reminder_hours": forms.NumberInput(attrs={"min": 0, "max": 336}),
            "question_reminder_hours": forms.NumberInput(attrs={"min": 0, "max": 336}),
        }

    def clean_reminder_hours(self) -> int:
        return _hours(self.cleaned_data["reminder_hours"])

    def clean_question_reminder_hours(self) -> int:
        return _hours(self.cleaned_data["question_reminder_hours"])


def _hours(value: int) -> int:
    if value > 24 * 14:
        raise forms.ValidationError(_("At most 336 hours (two weeks)."))
    return value


class PreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("E-mails I want"),
        required=False,
        choices=[(k.value, k.label) for k in MailKind if k in OPTIONAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Invitations, moved and cancelled meetings, invoices and account e-mails always "
            "come: they tell what you need to know."
        ),
    )
