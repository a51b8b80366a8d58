"""Billing: the practice's invoicing details, prices per engagement, invoices and their lines.

An issued invoice is a legal document: its seller and buyer details are copied onto it at
issue, it never changes afterwards (only its payment state does), and it is never deleted —
a credit note negates it. Numbers are gap-free per practice and series (a counter row locked
while a number is taken) and unique by a database constraint.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.billing.enums import (
    UNPAID_STATUSES,
    InvoiceKind,
    InvoiceStatus,
    LateCancellation,
    LineKind,
    PriceModel,
    Travel,
    Unit,
    VatCategory,
)
from bollplank.billing.validators import (
    bankgiro_digits,
    validate_bankgiro,
    validate_bic,
    validate_iban,
    validate_plusgiro,
    validate_vat_number,
)
from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.validators import validate_org_number
from bollplank.engagements.models import Engagement
from bollplank.meetings.models import Meeting

MAX_ORE = 10**11  # a billion kronor: refuses typos without limiting any real invoice
account_validator = RegexValidator(r"^\d{4}$", _("An account number has four digits."))
series_validator = RegexValidator(
    r"^[A-Z0-9]{0,6}$", _("Use up to six capital letters A–Z or digits.")
)

# The most a written payment reminder may cost (förordning (1981:1057) om ersättning för
# inkassokostnader m.m., 60 kr since 16 March 2013), in öre.
MAX_REMINDER_FEE = 6000

DEFAULT_EXEMPTION_TEXT = _(
    "Exempt from VAT under Chapter 10 of the Swedish VAT Act (mervärdesskattelagen 2023:200)."
)
DEFAULT_LATE_INTEREST = _("Interest on late payment is charged under the Swedish Interest Act.")


class BillingSettings(models.Model):
    """The seller on the practice's invoices, how they are paid, numbered and booked."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="billing_settings"
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"), max_length=11, validators=[validate_org_number]
    )
    vat_number = models.CharField(
        _("VAT registration number"),
        max_length=20,
        blank=True,
        validators=[validate_vat_number],
        help_text=_("SE, the organisation number's ten digits and 01, e.g. SE556677889901."),
    )
    f_tax = models.BooleanField(_("approved for F-tax"), default=True)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    email = models.EmailField(_("e-mail address for invoices"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    bankgiro = models.CharField(
        _("Bankgiro"), max_length=9, blank=True, validators=[validate_bankgiro]
    )
    plusgiro = models.CharField(
        _("Plusgiro"), max_length=10, blank=True, validators=[validate_plusgiro]
    )
    iban = models.CharField(_("IBAN"), max_length=42, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(120)]
    )
    late_interest_text = models.CharField(
        _("text on late-payment interest"), max_length=300, blank=True
    )
    exemption_text = models.CharField(
        _("text on invoices without VAT"),
        max_length=300,
        blank=True,
        help_text=_("The legal ground for the exemption, printed on lines without VAT."),
    )
    number_series = models.CharField(
        _("invoice number series"),
        max_length=6,
        blank=True,
        default="",
        validators=[series_validator],
        help_text=_("A prefix for the invoice numbers, e.g. A; empty for numbers only."),
    )
    first_number = models.PositiveIntegerField(
        _("first invoice number"),
        default=1001,
        validators=[MinValueValidator(1), MaxValueValidator(10**8)],
        help_text=_("Used for the first invoice of a series; later numbers follow without gaps."),
    )
    account_receivable = models.CharField(
        _("account for receivables"), max_length=4, default="1510", validators=[account_validator]
    )
    account_output_vat = models.CharField(
        _("account for output VAT 25 %"),
        max_length=4,
        default="2611",
        validators=[account_validator],
    )
    account_sales = models.CharField(
        _("account for sales with 25 % VAT"),
        max_length=4,
        default="3041",
        validators=[account_validator],
    )
    account_sales_exempt = models.CharField(
        _("account for sales without VAT"),
        max_length=4,
        default="3044",
        validators=[account_validator],
    )
    # Reminders (billing/services/reminders.py). The fee may be charged only when the buyer
    # agreed to it in advance, and at most what förordning (1981:1057) allows (MAX_REMINDER_FEE).
    reminders_enabled = models.BooleanField(_("send reminders of overdue invoices"), default=False)
    reminder_first_days = models.PositiveSmallIntegerField(
        _("days after the due date before the first reminder"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    reminder_max = models.PositiveSmallIntegerField(
        _("reminders per invoice at most"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    reminder_fee_ore = models.PositiveIntegerField(
        _("reminder fee"), default=0, validators=[MaxValueValidator(MAX_REMINDER_FEE)]
    )
    late_interest_percent = models.DecimalField(
        _("interest on late payment (% a year)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(50))],
    )
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True, editable=False)
    # The bankgiro normalised (set on save): a bankgiro's payment files are read into the one
    # practice that holds it, so no two practices may hold the same one.
    bankgiro_digits = models.CharField(max_length=10, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        verbose_name = _("billing settings")
        constraints = [
            models.UniqueConstraint(
                fields=["bankgiro_digits"],
                condition=~models.Q(bankgiro_digits=""),
                name="billing_settings_bankgiro_once",
            )
        ]

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.bankgiro_digits = bankgiro_digits(self.bankgiro)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "bankgiro" in update_fields:
            kwargs["update_fields"] = {*update_fields, "bankgiro_digits"}
        super().save(*args, **kwargs)

    @property
    def is_complete(self) -> bool:
        """What an invoice cannot be issued without."""
        return bool(
            self.legal_name
            and self.org_number
            and self.street
            and self.city
            and (self.bankgiro or self.plusgiro or self.iban)
        )


class InvoiceLogo(models.Model):
    """A logo as it was when an invoice was issued, kept by its SHA-256 so that a later change
    of the practice's logo does not change an issued invoice (each distinct logo stored once)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    content_type = models.CharField(max_length=40)

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "sha256"], name="invoice_logo_unique")
        ]

    def __str__(self) -> str:
        return self.sha256[:12]


class InvoiceCounter(models.Model):
    """The last number taken in a series. Locked (SELECT … FOR UPDATE) while a number is taken,
    in the transaction that issues the invoice: a rollback gives the number back."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    series = models.CharField(max_length=6, blank=True)
    last_number = models.PositiveIntegerField()

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "series"], name="invoice_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.last_number}"


class EngagementPrice(models.Model):
    """How an engagement is charged. Without one, an engagement is charged its price per
    meeting, late cancellations in full, no travel, 25 % VAT."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="price")
    model = models.CharField(
        _("price model"), max_length=20, choices=PriceModel.choices, default=PriceModel.PER_MEETING
    )
    amount_ore = models.PositiveBigIntegerField(
        _("price (öre)"),
        validators=[MaxValueValidator(MAX_ORE)],
        help_text=_("Per meeting, hour, month or participant, as the price model says."),
    )
    late_cancellation = models.CharField(
        _("late cancellations"),
        max_length=10,
        choices=LateCancellation.choices,
        default=LateCancellation.FULL,
    )
    late_cancellation_percent = models.PositiveSmallIntegerField(
        _("share charged for a late cancellation (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    travel = models.CharField(
        _("travel"), max_length=10, choices=Travel.choices, default=Travel.NONE
    )
    travel_amount_ore = models.PositiveBigIntegerField(
        _("travel price (öre)"),
        default=0,
        validators=[MaxValueValidator(MAX_ORE)],
        help_text=_("Per meeting, or per kilometre."),
    )
    travel_km = models.DecimalField(
        _("kilometres per meeting"),
        max_digits=7,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(5000))],
    )
    vat_category = models.CharField(
        _("VAT"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    separate_invoice = models.BooleanField(
        _("invoice this engagement on its own"),
        default=False,
        help_text=_("Otherwise the client gets one invoice for all its engagements."),
    )

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"{self.engagement_id}: {self.model} {self.amount_ore}"


IMMUTABLE = _("An issued invoice cannot be changed or deleted; credit it instead.")
# What may still change on an issued invoice: its payment and sending state.
MUTABLE_AFTER_ISSUE = frozenset(
    {"status", "paid_on", "sent_at", "credited_ore", "paid_ore", "settled_ore"}
)


class ImmutableInvoiceError(ValueError):
    pass


class InvoiceQuerySet(models.QuerySet["Invoice"]):
    def delete(self) -> Any:
        if self.filter(number__isnull=False).exists():
            raise ImmutableInvoiceError(str(IMMUTABLE))
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) - MUTABLE_AFTER_ISSUE and self.filter(number__isnull=False).exists():
            raise ImmutableInvoiceError(str(IMMUTABLE))
        return super().update(**kwargs)


class InvoiceLineQuerySet(models.QuerySet["InvoiceLine"]):
    def delete(self) -> Any:
        if self.filter(invoice__number__isnull=False).exists():
            raise ImmutableInvoiceError(str(IMMUTABLE))
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) - {"released"} and self.filter(invoice__number__isnull=False).exists():
            raise ImmutableInvoiceError(str(IMMUTABLE))
        return super().update(**kwargs)


class Invoice(models.Model):
    """An invoice or a credit note. A draft has no number; issuing gives it one, copies the
    seller and buyer onto it and freezes it."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    series = models.CharField(max_length=6, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("client")
    )
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    ocr = models.CharField(_("OCR number"), max_length=25, blank=True)
    buyer_reference = models.CharField(_("buyer's reference"), max_length=100, blank=True)
    order_number = models.CharField(_("order number"), max_length=100, blank=True)
    language = models.CharField(max_length=8, default="sv")
    # Copied at issue: later changes to the practice or the client do not change the invoice.
    seller = models.JSONField(default=dict, blank=True)
    buyer = models.JSONField(default=dict, blank=True)
    net_ore = models.BigIntegerField(default=0)
    vat_ore = models.BigIntegerField(default=0)
    total_ore = models.BigIntegerField(default=0)
    credited_ore = models.BigIntegerField(default=0)  # positive: how much credit notes took back
    paid_ore = models.BigIntegerField(default=0)  # the sum of the payments matched to it
    # The rest of a part-paid invoice that a practice admin marked paid (settled by hand).
    settled_ore = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(
        _manager_class=models.Manager.from_queryset(InvoiceQuerySet), practice="practice"
    )

    class Meta:
        ordering = ["-issue_date", "-number", "-id"]
        verbose_name = _("invoice")
        indexes = [
            models.Index(fields=["practice", "status", "due_date"]),
            models.Index(fields=["practice", "client", "issue_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "series", "number"], name="invoice_number_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status=InvoiceStatus.DRAFT, number__isnull=True)
                    | (~models.Q(status=InvoiceStatus.DRAFT) & models.Q(number__isnull=False))
                ),
                name="invoice_number_iff_issued",
            ),
            models.CheckConstraint(
                condition=models.Q(status=InvoiceStatus.DRAFT)
                | models.Q(kind=InvoiceKind.INVOICE, total_ore__gte=0)
                | models.Q(kind=InvoiceKind.CREDIT_NOTE, total_ore__lte=0),
                name="invoice_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number or f"draft {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_issued_in_db", False):
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) - MUTABLE_AFTER_ISSUE:
                raise ImmutableInvoiceError(str(IMMUTABLE))
        super().save(*args, **kwargs)
        self._issued_in_db = self.number is not None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.number is not None or getattr(self, "_issued_in_db", False):
            raise ImmutableInvoiceError(str(IMMUTABLE))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Invoice:
        instance = super().from_db(db, field_names, values)
        instance._issued_in_db = instance.number is not None
        return instance

    @property
    def display_number(self) -> str:
        return f"{self.series}{self.number}" if self.number is not None else ""

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def is_overdue(self) -> bool:
        return (
            self.kind == InvoiceKind.INVOICE
            and self.status in UNPAID_STATUSES
            and self.due_date is not None
            and self.due_date < clock.today()
        )

    @property
    def is_partly_credited(self) -> bool:
        """Some lines credited, the rest still owed: the invoice stays open for the rest."""
        return (
            self.status
            in (
                InvoiceStatus.OPEN,
                InvoiceStatus.PART_PAID,
                InvoiceStatus.PAID,
                InvoiceStatus.OVERPAID,
            )
            and self.credited_ore > 0
        )

    @property
    def status_label(self) -> str:
        label = str(_("overdue")) if self.is_overdue else str(self.get_status_display())
        if self.is_partly_credited:
            return str(_("%(status)s, partly credited") % {"status": label})
        return label

    @property
    def amount_due_ore(self) -> int:
        return self.total_ore - self.credited_ore

    @property
    def outstanding_ore(self) -> int:
        """What is still owed (negative: paid too much). Marked paid by hand counts as paid."""
        if self.kind != InvoiceKind.INVOICE or self.is_draft:
            return 0
        if self.status == InvoiceStatus.PAID and not self.paid_ore:
            return 0
        return self.amount_due_ore - self.paid_ore - self.settled_ore

    @property
    def overpaid_ore(self) -> int:
        return max(0, -self.outstanding_ore)


class InvoiceLine(models.Model):
    """One line: what was delivered, when, by whom, and for how much (net, in öre)."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT)
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    fee_month = models.DateField(null=True, blank=True)  # first day of a fixed fee's month
    # A course registration invoiced through the run (courses app); like a meeting, only once.
    course_registration = models.ForeignKey(
        "courses.Registration",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    credits_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credited_by"
    )
    # A credited line gives its meeting (or month) back, so that it can be invoiced again.
    released = models.BooleanField(default=False)
    description = models.CharField(_("description"), max_length=300)
    delivered_on = models.DateField(_("date"), null=True, blank=True)
    supervisor_name = models.CharField(_("supervisor"), max_length=200, blank=True)
    group_name = models.CharField(_("group"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-100000")), MaxValueValidator(Decimal("100000"))],
    )
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.PIECE)
    unit_price_ore = models.BigIntegerField(
        _("unit price (öre)"), validators=[MinValueValidator(-MAX_ORE), MaxValueValidator(MAX_ORE)]
    )
    amount_ore = models.BigIntegerField(_("amount (öre)"))
    vat_category = models.CharField(_("VAT"), max_length=2, choices=VatCategory.choices)
    vat_rate_bp = models.PositiveSmallIntegerField()

    objects = ScopedManager(
        _manager_class=models.Manager.from_queryset(InvoiceLineQuerySet), practice="practice"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            # A meeting is never invoiced twice: drafts hold their meetings too, so that two
            # runs at the same time cannot both take one.
            models.UniqueConstraint(
                fields=["meeting", "kind"],
                condition=models.Q(meeting__isnull=False, released=False),
                name="invoice_line_meeting_once",
            ),
            models.UniqueConstraint(
                fields=["engagement", "fee_month"],
                condition=models.Q(fee_month__isnull=False, released=False),
                name="invoice_line_fee_month_once",
            ),
            models.UniqueConstraint(
                fields=["course_registration"],
                condition=models.Q(course_registration__isnull=False, released=False),
                name="invoice_line_registration_once",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if (fields is None or set(fields) - {"released"}) and (
            Invoice._base_manager.filter(pk=self.invoice_id, number__isnull=False).exists()
        ):
            raise ImmutableInvoiceError(str(IMMUTABLE))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if Invoice._base_manager.filter(pk=self.invoice_id, number__isnull=False).exists():
            raise ImmutableInvoiceError(str(IMMUTABLE))
        return super().delete(*args, **kwargs)

    @property
    def vat_percent(self) -> Decimal:
        return Decimal(self.vat_rate_bp) / 100


# The bank's payments (BgMax imports), the deliveries to buyers and the reminders live in their
# own modules; imported here so that Django finds their models with the app's.
from bollplank.billing.delivery_models import AccessPoint, Delivery  # noqa: E402, F401
from bollplank.billing.payment_models import Payment, PaymentImport  # noqa: E402, F401
from bollplank.billing.reminder_models import Reminder  # noqa: E402, F401
