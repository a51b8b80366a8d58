"""Payments from the bank: each imported BgMax file, and each payment in it.

A file is imported once per practice (its SHA-256 is unique) and each payment once (Bankgirot's
serial number on its deposit day is unique), so the same file, or a later file repeating a
payment, changes nothing. A payment is linked to the invoice its OCR reference names; one the
import could not place stays without an invoice until a practice admin assigns it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.billing.enums import ImportSource, PaymentKind
from bollplank.core.models import Practice


class PaymentImport(models.Model):
    """One BgMax file read into the practice's books."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=ImportSource.choices)
    written_at = models.DateTimeField(_("written by Bankgirot"), null=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"))
    payments = models.PositiveIntegerField(_("payments"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    repeated = models.PositiveIntegerField(_("already imported"), default=0)
    total_ore = models.BigIntegerField(_("total"), default=0)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "sha256"], name="payment_import_once")
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def unmatched(self) -> int:
        return self.payments - self.matched - self.repeated


class Payment(models.Model):
    """A payment (or a deduction, negative) on the practice's bankgiro."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    bank_import = models.ForeignKey(
        PaymentImport, on_delete=models.PROTECT, related_name="payment_rows"
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("invoice"),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    paid_on = models.DateField(_("deposit date"))
    bank_reference = models.CharField(_("Bankgirot's serial number"), max_length=12)
    reference = models.CharField(_("reference"), max_length=25, blank=True)
    reference_is_ocr = models.BooleanField(default=False)
    amount_ore = models.BigIntegerField(_("amount"))  # negative for a deduction
    payer_name = models.CharField(_("payer"), max_length=70, blank=True)
    payer_bankgiro = models.CharField(max_length=10, blank=True)
    payer_org_number = models.CharField(max_length=12, blank=True)
    extra_references = models.JSONField(default=list, blank=True)
    information = models.CharField(_("message"), max_length=500, blank=True)
    line = models.PositiveIntegerField()  # in the file, for finding it there
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "paid_on", "bank_reference"], name="payment_once"
            )
        ]
        indexes = [models.Index(fields=["practice", "invoice"])]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.bank_reference}"
