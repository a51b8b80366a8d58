"""Delivery of issued invoices to their buyers: the practice's Peppol access point, and each
delivery of an invoice or credit note (by Peppol or by e-mail), with its attempts and outcome.

A delivery is a row written in the transaction that issues the invoice; the task worker sends
it after the commit, retries it with growing pauses, and records what the access point said.
A failed delivery stays as history; sending again makes a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.billing.enums import DeliveryChannel, DeliveryStatus
from bollplank.clients.enums import PeppolScheme
from bollplank.clients.peppol import normalize_participant, validate_participant
from bollplank.core.models import Practice


class AccessPoint(models.Model):
    """The practice's Peppol access point: a provider's HTTP API (docs/deploy.md says the
    shape), its API key stored encrypted (core.crypto) and never shown back, and the
    practice's own participant identifier, the sender of its invoices."""

    practice = models.OneToOneField(Practice, on_delete=models.CASCADE, related_name="access_point")
    base_url = models.URLField(_("API address"), max_length=200)
    api_key_encrypted = models.TextField()
    peppol_scheme = models.CharField(
        _("Peppol address scheme"), max_length=4, choices=PeppolScheme.choices
    )
    peppol_id = models.CharField(_("Peppol address"), max_length=50)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return self.base_url

    def clean(self) -> None:
        self.peppol_id = normalize_participant(self.peppol_scheme, self.peppol_id)
        validate_participant(self.peppol_scheme, self.peppol_id)

    @property
    def sender(self) -> str:
        return f"{self.peppol_scheme}:{self.peppol_id}"


class Delivery(models.Model):
    """One sending of an issued invoice or credit note to its buyer."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    # The Peppol address (scheme:value) or the e-mail address it goes to.
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    checks = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    message_id = models.CharField(_("message id"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient}"
