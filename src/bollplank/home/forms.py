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
        ]
