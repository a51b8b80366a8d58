"""Form helpers shared by every app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, DecimalException
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


# Spaces people and word processors put between thousands: plain, no-break, narrow no-break,
# thin and figure space.
_GROUPING = str.maketrans("", "", " \xa0\u202f\u2009\u2007")


def decimal_text(value: str) -> str:
    """Typed Swedish (or English) number text as Python reads it: "4 800", "4 800,00",
    "1 234,50 kr", "1,5" and "1.5" become "4800", "4800.00", "1234.50", "1.5", "1.5". With
    both a comma and a point the last one separates the decimals ("1.234,50", "1,234.50")."""
    text = value.translate(_GROUPING).lower().removesuffix("kr").removesuffix(":-")
    comma, point = text.rfind(","), text.rfind(".")
    if comma >= 0 and point >= 0:
        grouping = "." if comma > point else ","
        text = text.replace(grouping, "")
    return text.replace(",", ".")


class DecimalInputField(forms.DecimalField):
    """Every price and every number of hours is typed through this field (or KronorField): it
    takes the number as a Swedish person writes it, whatever the page's language, and shows it
    back in the page's format."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = decimal_text(str(value).strip())
        try:
            return Decimal(text)
        except DecimalException:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


MAX_KRONOR = Decimal(10**9)  # a billion kronor: refuses typos without limiting any real invoice


class KronorField(DecimalInputField):
    """An amount in kronor with at most two decimals (4500, 4 500 or 4 500,50); cleans to öre."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 13)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_value", MAX_KRONOR)
        kwargs.setdefault("min_value", -MAX_KRONOR if allow_negative else Decimal(0))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return (Decimal(value) / 100).quantize(Decimal("0.01"))
        return value


class KeptSecretForm(forms.Form):
    """A form holding a secret for another server (an app secret, a client secret) that is
    stored and never shown back: the field stays empty and, left empty, keeps the stored one.
    A subclass names the secret and its minimum length."""

    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    secret_min_length = 1
    # Shown under the empty field when nothing is stored yet (may use %(n)s, the minimum).
    secret_help = _("The secret.")
    secret_missing = _("Give the secret.")
    secret_too_short = _("The secret must be at least %(n)d characters long.")

    def __init__(self, *args: Any, has_secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        # The secret last, after the subclass's own fields.
        self.order_fields([name for name in self.fields if name != "secret"] + ["secret"])
        self.fields["secret"].help_text = (
            _("A secret is stored. Leave the field empty to keep it.")
            if has_secret
            else str(self.secret_help) % {"n": self.secret_min_length}
        )

    def clean_secret(self) -> str:
        secret: str = self.cleaned_data.get("secret", "")
        if not secret and not self.has_secret:
            raise forms.ValidationError(self.secret_missing)
        if secret and len(secret) < self.secret_min_length:
            raise forms.ValidationError(str(self.secret_too_short) % {"n": self.secret_min_length})
        return secret


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
