"""Client organizations (uppdragsgivare) and their contact people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.clients.enums import PeppolScheme, Sector
from bollplank.clients.peppol import normalize_participant, validate_participant
from bollplank.core.models import Practice
from bollplank.core.validators import validate_org_number


class Client(models.Model):
    """An organization that commissions supervision for its staff and pays for it."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_org_number],
        help_text=_("Ten digits, e.g. 212000-0142."),
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    invoice_reference = models.CharField(
        _("invoice reference"),
        max_length=100,
        blank=True,
        help_text=_(
            "The buyer's reference (e.g. a reference code) for the invoices; an engagement "
            "can have its own."
        ),
    )
    order_number = models.CharField(
        _("order number"),
        max_length=100,
        blank=True,
        help_text=_("A standing order number for the invoices, if the client gave one."),
    )
    requires_buyer_reference = models.BooleanField(
        _("requires the buyer's reference on every invoice"), default=False
    )
    requires_order_number = models.BooleanField(
        _("requires an order number on every invoice"), default=False
    )
    peppol_scheme = models.CharField(
        _("Peppol address scheme"),
        max_length=4,
        choices=PeppolScheme.choices,
        blank=True,
        help_text=_(
            "0007 for a Swedish organisation number, 0088 for a GLN. Left empty: the "
            "organisation number under 0007."
        ),
    )
    peppol_id = models.CharField(
        _("Peppol address"),
        max_length=50,
        blank=True,
        help_text=_(
            "Where the client receives e-invoices in the Peppol network, e.g. its organisation "
            "number or the GLN its procurement gave."
        ),
    )
    mission = models.TextField(
        _("the organization's mission"),
        max_length=20000,
        blank=True,
        help_text=_(
            "The organization's own assignment (verksamhetsuppdrag) that reflection is held "
            "against."
        ),
    )
    language = models.CharField(
        _("language for documents"),
        max_length=8,
        choices=[("sv", "Svenska"), ("en", "English")],
        default="sv",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        indexes = [models.Index(fields=["practice", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.peppol_id = normalize_participant(self.peppol_scheme, self.peppol_id)
        validate_participant(self.peppol_scheme, self.peppol_id)

    @property
    def peppol_address(self) -> str:
        """The participant identifier as the network writes it, e.g. 0088:7350053850019."""
        return f"{self.peppol_scheme}:{self.peppol_id}" if self.peppol_id else ""


class ClientContact(models.Model):
    """A person at the client: sees the agreement, schedule, counts and invoices — no content."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_contacts",
    )

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "email"], name="client_contact_unique_email")
        ]

    def __str__(self) -> str:
        return self.name
