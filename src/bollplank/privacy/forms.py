"""The practice's retention rules: one field per kind of record the registry knows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.core.personal_data_registry import retention_categories


class RetentionForm(forms.Form):
    def __init__(self, *args: Any, initial_days: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cat in retention_categories():
            assert cat.retention is not None
            self.fields[cat.key] = forms.IntegerField(
                label=str(cat.label).capitalize(),
                required=not cat.retention.keep_allowed,
                min_value=cat.retention.minimum_days,
                max_value=cat.retention.maximum_days,
                initial=initial_days.get(cat.key),
                help_text=(
                    _("Days kept. Empty: kept until deleted by hand.")
                    if cat.retention.keep_allowed
                    else _("Days kept.")
                ),
            )


class FindPersonForm(forms.Form):
    email = forms.EmailField(label=_("The person's e-mail address"))


class EraseConfirmForm(forms.Form):
    """The admin types the person's address: a click alone erases no one."""

    email = forms.CharField(
        label=_("Type the person's e-mail address to confirm"),
        max_length=254,
        help_text=_("Erasure cannot be undone."),
    )

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.expected.lower():
            raise forms.ValidationError(
                _("That is not the person's address. Nothing was erased."), code="mismatch"
            )
        return typed
