"""Form helpers shared by every app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bollplank.core.identity import IDENTITY_NUMBER
from bollplank.core.timeutils import MAX_DATE, MIN_DATE, in_range


class BoundedDateField(forms.DateField):
    """A date within the years Bollplank plans in (2000–2100): a typo such as 0202-05-01 gets a
    message instead of reaching date arithmetic that overflows."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(validate_date_in_range)


def validate_date_in_range(value: dt.date) -> None:
    if not in_range(value):
        raise ValidationError(
            _("Choose a date between %(min)s and %(max)s."),
            code="date_out_of_range",
            params={"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
        )


class IdentityConfirmationForm(forms.Form):
    """Mixed into every form whose free text can hold a case: the confirmation that the
    identity-number guard (core.identity) asks for. The field is shown only once the guard has
    found something (``_form.html`` and the pages that lay out their own fields)."""

    identity_guard = True
    confirmed = forms.BooleanField(
        label=_("I have checked: the text identifies no one (it is not an identity number)."),
        required=False,
    )

    @property
    def asks_confirmation(self) -> bool:
        return any(
            error.code == IDENTITY_NUMBER
            for errors in self.errors.as_data().values()
            for error in errors
        )


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where it names one, so that the
    page shows it next to the input and keeps everything the user typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
