from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bollplank.core.forms import IdentityConfirmationForm
from bollplank.records.enums import Visibility
from bollplank.records.models import MAX_TEXT


class TextForm(IdentityConfirmationForm):
    """A confidential text, with the confirmation the identity-number guard may ask for."""

    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_TEXT
    )

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label


class SummaryForm(TextForm):
    pass


class SubmissionForm(TextForm):
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.SUPERVISOR,
        help_text=_(
            "“Only the supervisor”: you and the supervisor can read it. “The supervisor and "
            "the group”: everyone in the group can."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, label=_("Your question or problem description"), **kwargs)


class JournalForm(IdentityConfirmationForm):
    body = forms.CharField(
        label=_("Reflection"), widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_TEXT
    )
    meeting = forms.TypedChoiceField(
        label=_("About the meeting"), coerce=int, required=False, empty_value=None
    )
    field_order = ["body", "meeting", "confirmed"]

    def __init__(self, *args: Any, meetings: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("No particular meeting"))]
        choices += [
            (m.pk, f"{m.engagement.title} {timezone.localtime(m.starts_at):%Y-%m-%d}")
            for m in meetings
        ]
        self.fields["meeting"].choices = choices  # type: ignore[attr-defined]
