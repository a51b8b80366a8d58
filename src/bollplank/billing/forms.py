"""Billing forms: validation only. Money is typed in kronor and handed on in öre."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bollplank.billing.enums import Unit, VatCategory
from bollplank.billing.models import (
    MAX_REMINDER_FEE,
    BillingSettings,
    EngagementPrice,
    InvoiceLine,
)
from bollplank.billing.services.settings import SETTINGS_FIELDS
from bollplank.core import clock
from bollplank.core.forms import BoundedDateField, DecimalInputField, KronorField
from bollplank.engagements.forms import DateInput


class BillingSettingsForm(forms.ModelForm):
    logo_file = forms.ImageField(
        label=_("logo"),
        required=False,
        help_text=_("PNG or JPEG, at most 500 kB. Printed at the top of the invoice."),
    )
    remove_logo = forms.BooleanField(label=_("remove the logo"), required=False)
    reminder_fee_ore = KronorField(
        label=_("reminder fee (kr)"),
        required=False,
        max_value=Decimal(MAX_REMINDER_FEE) / 100,
        help_text=_(
            "At most 60 kr, and only if the client agreed to it in advance (in your terms or "
            "the agreement). Charged on the first reminder; 0 for none."
        ),
    )

    class Meta:
        model = BillingSettings
        # One list of what the settings hold: the service writes exactly these.
        fields = list(SETTINGS_FIELDS)
        field_classes = {"late_interest_percent": DecimalInputField}
        help_texts = {
            "late_interest_percent": _(
                "The Interest Act's rate is the Riksbank's reference rate plus 8 percentage "
                "points (set it again when the reference rate changes, 1 January and 1 July); "
                "another rate only if agreed. 0 for none."
            ),
        }

    def clean_reminder_fee_ore(self) -> int:
        return self.cleaned_data.get("reminder_fee_ore") or 0

    def clean_logo_file(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > 500_000 or upload.content_type not in {"image/png", "image/jpeg"}:
            raise ValidationError(_("The logo must be a PNG or JPEG file of at most 500 kB."))
        return upload.read(), upload.content_type

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("bankgiro") or data.get("plusgiro") or data.get("iban")):
            raise ValidationError(_("Give at least one way to pay: Bankgiro, Plusgiro or IBAN."))
        return data


class EngagementPriceForm(forms.ModelForm):
    amount_ore = KronorField(
        label=_("price (kr)"), help_text=_("Per meeting, hour, month or participant.")
    )
    travel_amount_ore = KronorField(
        label=_("travel price (kr)"),
        required=False,
        help_text=_("Per meeting, or per kilometre."),
    )

    class Meta:
        model = EngagementPrice
        fields = [
            "model",
            "amount_ore",
            "late_cancellation",
            "late_cancellation_percent",
            "travel",
            "travel_amount_ore",
            "travel_km",
            "vat_category",
            "separate_invoice",
        ]
        widgets = {"model": forms.RadioSelect, "late_cancellation": forms.RadioSelect}
        field_classes = {"travel_km": DecimalInputField}

    def clean_travel_amount_ore(self) -> int:
        return self.cleaned_data.get("travel_amount_ore") or 0


def _last_month() -> tuple[dt.date, dt.date]:
    first_this = clock.today().replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(day=1), last


class PeriodForm(forms.Form):
    period_start = BoundedDateField(label=_("from"), widget=DateInput())
    period_end = BoundedDateField(label=_("to"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start, end = _last_month()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        elif start and end and (end - start).days > 366:
            self.add_error("period_end", _("Choose a period of at most one year."))
        return data


class ExportForm(PeriodForm):
    format = forms.ChoiceField(
        label=_("format"),
        choices=[("sie", _("SIE 4I (accounting programs)")), ("csv", _("CSV (spreadsheets)"))],
        widget=forms.RadioSelect,
        initial="sie",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        # Voucher numbers start again each financial year: one file, one year.
        if data.get("format") == "sie" and start and end and start.year != end.year:
            self.add_error(
                "period_end",
                _("A SIE file holds one financial year: choose a period within one calendar year."),
            )
        return data


class LineForm(forms.Form):
    description = forms.CharField(label=_("description"), max_length=300)
    delivered_on = BoundedDateField(label=_("date"), required=False, widget=DateInput())
    quantity = DecimalInputField(
        label=_("quantity"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("-100000"),
        max_value=Decimal("100000"),
    )
    unit = forms.ChoiceField(label=_("unit"), choices=Unit.choices)
    unit_price_ore = KronorField(
        label=_("unit price (kr)"),
        allow_negative=True,
        help_text=_("A negative price gives a discount."),
    )
    vat_category = forms.ChoiceField(label=_("VAT"), choices=VatCategory.choices)

    @classmethod
    def initial_of(cls, line: InvoiceLine) -> dict[str, Any]:
        return {name: getattr(line, name) for name in cls.base_fields}


class ReferencesForm(forms.Form):
    buyer_reference = forms.CharField(
        label=_("buyer's reference"),
        max_length=100,
        required=False,
        help_text=_("The reference the buyer gave, e.g. a reference code (BT-10)."),
    )
    order_number = forms.CharField(
        label=_("order number"),
        max_length=100,
        required=False,
        help_text=_("The buyer's order number (BT-13)."),
    )


class PaidForm(forms.Form):
    paid_on = BoundedDateField(label=_("paid on"), widget=DateInput())


class CreditForm(forms.Form):
    lines = forms.TypedMultipleChoiceField(
        label=_("lines to credit"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, lines: list[InvoiceLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["lines"]
        field.choices = [(line.pk, str(line.pk)) for line in lines]
        self.fields["lines"].initial = [line.pk for line in lines]


class SendForm(forms.Form):
    to = forms.EmailField(label=_("send to"), max_length=254)


# A day's BgMax file is a few kilobytes per hundred payments; this refuses only mistakes.
BGMAX_MAX_BYTES = 10 * 1024 * 1024


class BgMaxUploadForm(forms.Form):
    file = forms.FileField(
        label=_("BgMax file"),
        help_text=_("The file of incoming payments from Bankgirot (Bankgiro Inbetalningar)."),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > BGMAX_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB; it is not a BgMax file."))
        return file


class AssignPaymentForm(forms.Form):
    invoice = forms.CharField(
        label=_("invoice number"),
        max_length=20,
        help_text=_("As printed on the invoice, e.g. A1001."),
    )
