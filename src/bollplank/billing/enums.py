"""Choices for billing: price models, VAT categories, invoice kinds and states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PriceModel(models.TextChoices):
    PER_MEETING = "per_meeting", _("per meeting")
    PER_HOUR = "per_hour", _("per hour")
    FIXED_MONTHLY = "fixed_monthly", _("fixed per month")
    PER_PARTICIPANT = "per_participant", _("per participant and meeting")


class LateCancellation(models.TextChoices):
    FULL = "full", _("charged in full")
    PART = "part", _("charged in part")
    NONE = "none", _("not charged")


class Travel(models.TextChoices):
    NONE = "none", _("no travel charge")
    FIXED = "fixed", _("fixed amount per meeting")
    KM = "km", _("per kilometre")


class VatCategory(models.TextChoices):
    """The EN 16931 VAT category codes (UNCL 5305) Bollplank uses."""

    STANDARD = "S", _("25 % VAT")
    EXEMPT = "E", _("exempt from VAT (0 %)")


# The rate per category in hundredths of a percent (basis points): 25 % = 2500.
VAT_RATE_BP = {VatCategory.STANDARD: 2500, VatCategory.EXEMPT: 0}


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("invoice")
    CREDIT_NOTE = "credit_note", _("credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("invoice", "draft")
    OPEN = "open", pgettext_lazy("invoice", "open")
    PAID = "paid", pgettext_lazy("invoice", "paid")
    PART_PAID = "part_paid", pgettext_lazy("invoice", "partly paid")
    OVERPAID = "overpaid", pgettext_lazy("invoice", "overpaid")
    CREDITED = "credited", pgettext_lazy("invoice", "credited")


class LineKind(models.TextChoices):
    MEETING = "meeting", _("meeting")
    LATE_CANCELLATION = "late_cancellation", _("late cancellation")
    TRAVEL = "travel", _("travel")
    FIXED_FEE = "fixed_fee", _("fixed fee")
    COURSE = "course", _("course")
    MANUAL = "manual", _("other")


class Unit(models.TextChoices):
    """UN/ECE Recommendation 20 codes, as the e-invoice wants them."""

    PIECE = "C62", pgettext_lazy("unit", "pcs")
    HOUR = "HUR", pgettext_lazy("unit", "h")
    KILOMETRE = "KMT", pgettext_lazy("unit", "km")
    MONTH = "MON", pgettext_lazy("unit", "month")


# An issued invoice whose payments are still counted: what is paid decides among these.
PAYABLE_STATUSES = (
    InvoiceStatus.OPEN,
    InvoiceStatus.PART_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.OVERPAID,
)

# Issued invoices with something still to pay (overdue once their due date has passed).
UNPAID_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PART_PAID)


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("payment")
    DEDUCTION = "deduction", _("deduction")


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("uploaded")
    FOLDER = "folder", _("from the watched folder")


class DeliveryChannel(models.TextChoices):
    PEPPOL = "peppol", _("Peppol (access point)")
    EMAIL = "email", _("e-mail with the PDF")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("delivery", "queued")
    SENDING = "sending", pgettext_lazy("delivery", "sending")
    SENT = "sent", pgettext_lazy("delivery", "sent")
    DELIVERED = "delivered", pgettext_lazy("delivery", "delivered")
    FAILED = "failed", pgettext_lazy("delivery", "failed")
