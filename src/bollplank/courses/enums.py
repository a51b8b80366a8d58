"""Choices for courses: the state of a registration."""

from django.db import models
from django.utils.translation import pgettext_lazy


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", pgettext_lazy("registration", "confirmed")
    WAITLISTED = "waitlisted", pgettext_lazy("registration", "on the waitlist")
    CANCELLED = "cancelled", pgettext_lazy("registration", "cancelled")


ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
