"""Payment reminders (påminnelser) of overdue invoices.

A reminder is a letter, not an invoice: it repeats what the invoice still owes, states the
interest accrued to its date and the reminder fee, and asks for payment to the invoice's own
OCR reference (so that a BgMax payment still finds the invoice). Its figures are kept as they
were on its date; it is never changed afterwards. Numbers run 1, 2, … per invoice and are unique,
so two runs at the same time cannot both send the same reminder.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core.models import Practice


class Reminder(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        related_name="reminders",
        verbose_name=_("invoice"),
    )
    number = models.PositiveSmallIntegerField(_("reminder number"))
    sent_on = models.DateField(_("reminder date"))
    pay_by = models.DateField(_("pay by"))
    outstanding_ore = models.BigIntegerField(_("still owed on the invoice"))
    interest_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    interest_days = models.PositiveIntegerField(default=0)
    interest_ore = models.BigIntegerField(_("interest"), default=0)
    fee_ore = models.BigIntegerField(_("reminder fee"), default=0)
    sent_to = models.EmailField(_("sent to"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["invoice", "number"]
        verbose_name = _("reminder")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "number"], name="reminder_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}/{self.number}"

    @property
    def to_pay_ore(self) -> int:
        return self.outstanding_ore + self.interest_ore + self.fee_ore
