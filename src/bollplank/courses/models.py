"""Courses a practice runs (e.g. two days on collegial group supervision), the days they are
held on, the people who register, and who was present on which day.

A registration is confirmed while there are places and waitlisted after that; a cancellation
promotes the first person on the waitlist. The course row is locked while a place is taken, so
that two people registering for the last place at once cannot both get it.
"""

from __future__ import annotations

import math
import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.billing.enums import VatCategory
from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.core.validators import validate_org_number
from bollplank.courses.enums import ACTIVE_STATUSES, RegistrationStatus
from bollplank.engagements.models import Engagement

MAX_PRICE_ORE = 10**9  # ten million kronor: refuses typos, limits no real course


def _token() -> str:
    return secrets.token_urlsafe(24)


def new_registration_token() -> str:
    """A fresh link token: giving a registration one makes its old link stop working."""
    return _token()


class Course(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20000)
    audience = models.TextField(_("audience"), max_length=2000, blank=True)
    place = models.CharField(_("place"), max_length=300)
    price_ore = models.PositiveBigIntegerField(
        _("price per participant (öre)"),
        default=0,
        validators=[MaxValueValidator(MAX_PRICE_ORE)],
    )
    vat_category = models.CharField(
        _("VAT"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    last_registration_day = models.DateField(_("last day to register"))
    published = models.BooleanField(_("published"), default=False)
    # The attendance rule for a certificate: the share of the course's days a participant
    # must have been present on.
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("attendance required for a certificate (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "The share of the course's days a participant must attend to get a certificate."
        ),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("course leader"),
    )
    follow_up = models.ForeignKey(
        Engagement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up supervision group"),
    )
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["-last_registration_day", "title"]
        verbose_name = _("course")
        indexes = [models.Index(fields=["practice", "published", "last_registration_day"])]

    def __str__(self) -> str:
        return self.title

    def days_required(self, days_total: int) -> int:
        """Days present a certificate needs: the rule's share of the days, rounded up, at
        least one (a course without days certifies no one)."""
        return max(1, math.ceil(days_total * self.min_attendance_percent / 100))


class CourseDay(models.Model):
    """One day of a course, with its own times (UTC, shown in local time)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="days")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="course_day_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.starts_at:%Y-%m-%d}"


class Registration(models.Model):
    """A person's registration. The invoice details are the registrant's organization's."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    organization = models.CharField(_("organization"), max_length=200, blank=True)
    org_number = models.CharField(
        _("organisation number"),
        max_length=11,
        blank=True,
        validators=[validate_org_number],
        help_text=_("Ten digits, e.g. 212000-0142."),
    )
    invoice_street = models.CharField(_("invoice address"), max_length=200, blank=True)
    invoice_postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    invoice_city = models.CharField(_("city"), max_length=100, blank=True)
    invoice_reference = models.CharField(
        _("invoice reference"),
        max_length=100,
        blank=True,
        help_text=_("The reference your organization wants on the invoice."),
    )
    dietary_needs = models.CharField(_("dietary needs"), max_length=500, blank=True)
    language = models.CharField(max_length=8, default="sv")
    token = models.CharField(max_length=64, default=_token, unique=True, editable=False)
    # Set by the invoice run: the client the registration was invoiced to.
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        indexes = [models.Index(fields=["course", "status", "created_at"])]
        constraints = [
            # One active registration per address and course, also when two arrive at once.
            models.UniqueConstraint(
                Lower("email"),
                "course",
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.course_id})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class CourseAttendance(models.Model):
    """Whether a registrant was present on a course day (a row only once marked)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendance"
    )
    day = models.ForeignKey(CourseDay, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=False)

    objects = ScopedManager(practice="practice")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "day"], name="course_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}@{self.day_id}: {self.present}"
