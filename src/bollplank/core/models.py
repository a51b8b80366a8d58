"""The tenant (Practice) and the append-only, sealed and chained audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Practice(models.Model):
    """A supervision firm or a single supervisor's practice: the tenant everything belongs to."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Stockholm")
    late_cancellation_hours = models.PositiveSmallIntegerField(
        _("notice period for cancellations (hours)"),
        default=48,
        validators=[MaxValueValidator(24 * 30)],
        help_text=_("A meeting cancelled later than this before it starts is a late cancellation."),
    )
    travel_buffer_minutes = models.PositiveSmallIntegerField(
        _("travel buffer between meetings (minutes)"),
        default=30,
        validators=[MaxValueValidator(8 * 60)],
        help_text=_("A supervisor is never booked closer than this to another meeting."),
    )
    require_mfa_for_staff = models.BooleanField(
        _("require two-factor login for admins and supervisors"), default=False
    )
    require_mfa_for_contacts = models.BooleanField(
        _("require two-factor login for client contacts"), default=False
    )
    require_mfa_for_participants = models.BooleanField(
        _("require two-factor login for participants"), default=False
    )
    # ASVS V3.3: at most 30 minutes idle and 12 hours in all; a practice may only shorten them.
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("log out after idle (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(30)],
        help_text=_("Between 5 and 30 minutes without activity."),
    )
    session_max_hours = models.PositiveSmallIntegerField(
        _("log out after (hours) in all"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Between 1 and 12 hours after logging in, active or not."),
    )
    invitation_days = models.PositiveSmallIntegerField(
        _("invitations are valid for (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Between 1 and 90 days. An expired invitation can be sent again."),
    )
    email_signature = models.TextField(
        _("signature in e-mails"),
        max_length=600,
        blank=True,
        help_text=_(
            "Ends every e-mail the practice's people get, e.g. the name, phone number and "
            "address. Empty: the practice's name."
        ),
    )
    # What a new engagement costs per meeting by its form, e.g. one made from an inquiry; each
    # engagement keeps its own price from then on.
    price_individual_ore = models.PositiveBigIntegerField(
        _("price per individual meeting (öre)"),
        default=0,
        validators=[MaxValueValidator(10**11)],
    )
    price_group_ore = models.PositiveBigIntegerField(
        _("price per group meeting (öre)"),
        default=0,
        validators=[MaxValueValidator(10**11)],
    )
    quota_alert_percent = models.PositiveSmallIntegerField(
        _("tell when this share of the ordered meetings is used (%)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "The supervisor and the client's contacts get an e-mail when the meetings held and "
            "planned reach this share of those ordered."
        ),
    )
    idle_alert_weeks = models.PositiveSmallIntegerField(
        _("tell when nothing is booked for (weeks)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_(
            "The supervisor and the client's contacts get an e-mail when an active engagement "
            "has had no meeting for this long and none is planned."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practice")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def price_for_form(self, form: str) -> int:
        """The practice's price per meeting in öre for an engagement form ("individual" or
        "group"); core knows the forms only by these names."""
        return self.price_group_ore if form == "group" else self.price_individual_ore


class AuditSubject(models.Model):
    """A person an audit event is about: the rows behind a person's log extract ("who has
    read things about me")."""

    event = models.ForeignKey("AuditEvent", on_delete=models.PROTECT, related_name="subjects")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["user", "event"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.event_id}"


class AuditEvent(models.Model):
    """One thing someone did. Append-only: each row carries a MAC of its content under a key
    kept outside the database; the sealer later gives it its place in the chain (``seq``) and
    the chain value that binds it to every event before it (``core.audit``)."""

    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    mac = models.CharField(max_length=64)
    # Null until sealed; unique so that two events can never take the same place.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    chain = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["practice", "id"]),
            # The sealer's work list: small, since events are sealed within seconds.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="core_audit_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are append-only.")
