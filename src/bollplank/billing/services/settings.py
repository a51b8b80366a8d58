"""The practice's billing settings (seller details, payment terms, number series, accounts)
and how each engagement is charged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from bollplank.billing.enums import PriceModel
from bollplank.billing.models import (
    DEFAULT_EXEMPTION_TEXT,
    DEFAULT_LATE_INTEREST,
    BillingSettings,
    EngagementPrice,
)
from bollplank.billing.validators import bankgiro_digits
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.services import model_update
from bollplank.core.validators import normalize_org_number
from bollplank.engagements.models import Engagement

SETTINGS_FIELDS = (
    "legal_name",
    "org_number",
    "vat_number",
    "f_tax",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "bankgiro",
    "plusgiro",
    "iban",
    "bic",
    "payment_terms_days",
    "late_interest_text",
    "exemption_text",
    "number_series",
    "first_number",
    "account_receivable",
    "account_output_vat",
    "account_sales",
    "account_sales_exempt",
    "reminders_enabled",
    "reminder_first_days",
    "reminder_interval_days",
    "reminder_max",
    "reminder_fee_ore",
    "late_interest_percent",
)
PRICE_FIELDS = (
    "model",
    "amount_ore",
    "late_cancellation",
    "late_cancellation_percent",
    "travel",
    "travel_amount_ore",
    "travel_km",
    "vat_category",
    "separate_invoice",
)
LOGO_TYPES = {"image/png", "image/jpeg"}
MAX_LOGO_BYTES = 500_000


def _bankgiro_taken() -> ValidationError:
    # Bankgiro numbers are printed on every invoice, so saying that one is taken tells nothing
    # secret; letting two practices hold one would read one's payments into the other.
    return ValidationError(
        {
            "bankgiro": _(
                "Another practice already has this Bankgiro number in its billing settings. "
                "Check the number: a Bankgiro's payments can be read into one practice only."
            )
        },
    )


def billing_settings_of(practice: Practice) -> BillingSettings:
    """The practice's billing settings, or unsaved defaults named after the practice."""
    found = BillingSettings.objects.filter(practice=practice).first()
    if found is not None:
        return found
    return BillingSettings(
        practice=practice,
        legal_name=practice.name,
        late_interest_text=str(DEFAULT_LATE_INTEREST),
        exemption_text=str(DEFAULT_EXEMPTION_TEXT),
    )


@transaction.atomic
def billing_settings_save(
    *,
    actor: Any,
    practice: Practice,
    logo: tuple[bytes, str] | None = None,
    remove_logo: bool = False,
    **fields: Any,
) -> BillingSettings:
    """Save the seller's details, payment terms, number series and accounts.

    ``logo`` is the image's bytes and content type (PNG or JPEG, at most 500 kB)."""
    current = billing_settings_of(practice)
    changed = model_update(instance=current, fields=SETTINGS_FIELDS, data=fields)
    current.vat_number = current.vat_number.replace(" ", "").upper()
    current.iban = current.iban.replace(" ", "").upper()
    current.bic = current.bic.replace(" ", "").upper()
    if logo is not None:
        data, content_type = logo
        if content_type not in LOGO_TYPES or len(data) > MAX_LOGO_BYTES:
            raise ValidationError(
                {"logo": _("The logo must be a PNG or JPEG file of at most 500 kB.")}
            )
        current.logo, current.logo_content_type = data, content_type
        changed.append("logo")
    elif remove_logo:
        current.logo, current.logo_content_type = None, ""
        changed.append("logo")
    current.full_clean()
    current.org_number = normalize_org_number(current.org_number)
    digits = bankgiro_digits(current.bankgiro)
    with scopes_disabled():
        taken = (
            digits != ""
            and BillingSettings.objects.filter(bankgiro_digits=digits)
            .exclude(practice=practice)
            .exists()
        )
    if taken:
        raise _bankgiro_taken()
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        # Another practice saved the same bankgiro at this very moment.
        raise _bankgiro_taken() from None
    audit(actor, "billing.settings.updated", current, {"fields": changed})
    return current


def price_of(engagement: Engagement) -> EngagementPrice:
    """How the engagement is charged: its own price model, or the price per meeting."""
    try:
        return engagement.price  # type: ignore[attr-defined]
    except EngagementPrice.DoesNotExist:
        return EngagementPrice(
            practice_id=engagement.practice_id,
            engagement=engagement,
            model=PriceModel.PER_MEETING,
            amount_ore=engagement.price_per_meeting_ore,
        )


@transaction.atomic
def engagement_price_save(*, actor: Any, engagement: Engagement, **fields: Any) -> EngagementPrice:
    """Set how an engagement is charged. Invoices already drafted or issued keep their lines."""
    price = price_of(engagement)
    changed = model_update(instance=price, fields=PRICE_FIELDS, data=fields)
    price.full_clean()
    price.save()
    audit(actor, "billing.price.updated", engagement, {"fields": changed})
    return price
