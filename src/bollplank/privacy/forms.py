"""The practice's retention rules: one field per kind of record the registry knows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.privacy.registry import retention_categories


class RetentionForm(forms.Form):
    def __init__(self, *args: Any, initial_days: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cat in retention_categories():
            assert cat.retention is not None
            self.fields[cat.key] = forms.IntegerField(
                label=str(cat.label).capitalize(),
                required=False,
                min_value=cat.retention.minimum_days,
                max_value=100 * 365,
                initial=initial_days.get(cat.key),
                help_text=_("Days kept. Empty: kept until deleted by hand."),
            )
