"""Engagements (uppdrag), the people supervised and who belongs to which group when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.engagements.enums import (
    AttendanceVisibility,
    Focus,
    Form,
    Status,
    Venue,
    default_attendance_visibility,
)
from bollplank.engagements.quota import Quota


class Participant(models.Model):
    """A supervisee. May exist before they have a login; linked to a user on invitation."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="participants")
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="participants"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "email"], name="participant_unique_email")
        ]

    def __str__(self) -> str:
        return self.name


class Engagement(models.Model):
    """A commission from a client: who supervises whom, how, how often, for how much."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="engagements")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("client")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name=_("supervisor"),
    )
    title = models.CharField(_("title"), max_length=200)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    focus = models.CharField(_("focus"), max_length=20, choices=Focus.choices)
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"),
        validators=[MinValueValidator(15), MaxValueValidator(8 * 60)],
    )
    expectations = models.TextField(
        _("expectations and requirements"), max_length=20000, blank=True
    )
    goals = models.TextField(_("goals"), max_length=20000, blank=True)
    meetings_ordered = models.PositiveSmallIntegerField(
        _("meetings ordered"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=20, choices=Venue.choices)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    price_per_meeting_ore = models.PositiveIntegerField(
        _("price per meeting (öre)"), default=0, validators=[MaxValueValidator(10**9)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    submission_hours_before = models.PositiveSmallIntegerField(
        _("questions can be sent in until (hours before the meeting)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
    )
    # What the client's invoices for this engagement carry; filled from the client's
    # defaults when the engagement is made, and read from the client while left empty.
    buyer_reference = models.CharField(
        _("buyer's reference"),
        max_length=100,
        blank=True,
        help_text=_("Put on the invoices, e.g. the reference code of the client's buyer."),
    )
    order_number = models.CharField(
        _("order number"),
        max_length=100,
        blank=True,
        help_text=_("The client's order number for this engagement, put on the invoices."),
    )
    # Blank until saved: then the default for the form (individual: counts per term).
    attendance_visibility = models.CharField(
        _("what the client sees of attendance"),
        max_length=12,
        choices=AttendanceVisibility.choices,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("engagement")
        indexes = [
            models.Index(fields=["practice", "supervisor", "status"]),
            models.Index(fields=["practice", "client"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="engagement_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.attendance_visibility:
            self.attendance_visibility = default_attendance_visibility(self.form)
        super().save(*args, **kwargs)

    @property
    def client_sees_attendance(self) -> bool:
        return self.attendance_visibility != AttendanceVisibility.NOTHING

    @property
    def client_sees_each_meeting(self) -> bool:
        return self.attendance_visibility == AttendanceVisibility.PER_MEETING

    @property
    def location_text(self) -> str:
        if self.venue == Venue.VIDEO:
            return self.video_url
        return self.venue_address

    @property
    def invoice_references(self) -> tuple[str, str]:
        """The buyer's reference and the order number its invoices carry: its own, else the
        client's."""
        return (
            self.buyer_reference or self.client.invoice_reference,
            self.order_number or self.client.order_number,
        )

    @property
    def quota(self) -> Quota | None:
        """Ordered, held, planned and left, where the read counted the meetings (the
        meetings floor's selectors annotate held_count and planned_count)."""
        held = getattr(self, "held_count", None)
        planned = getattr(self, "planned_count", None)
        if held is None or planned is None:
            return None
        return Quota(self.meetings_ordered, held, planned, self.meeting_minutes)


class GroupMembership(models.Model):
    """A participant's time in an engagement's group. Leaving sets left_on; history stays."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="memberships")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left"), null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["joined_on", "participant__name"]
        indexes = [models.Index(fields=["participant", "engagement"])]
        constraints = [
            # One open membership per person and engagement; rejoining starts a new row.
            models.UniqueConstraint(
                fields=["engagement", "participant"],
                condition=models.Q(left_on__isnull=True),
                name="group_membership_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} i {self.engagement}"
