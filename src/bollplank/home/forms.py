from typing import Any

from django import forms

from bollplank.core.models import Practice


class PracticeSettingsForm(forms.ModelForm):
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
        ]
        widgets = {"email_signature": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script), the validity stays as it was.
        self.fields["invitation_days"].required = False

    def clean_invitation_days(self) -> int:
        days = self.cleaned_data.get("invitation_days")
        return self.instance.invitation_days if days is None else int(days)
