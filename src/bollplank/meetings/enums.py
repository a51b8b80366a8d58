from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting", "planned")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "cancelled")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    LATE_CANCELLED = "late_cancelled", _("cancelled late")


class CancelledBy(models.TextChoices):
    """Who caused a cancellation: only the client side's late cancellations can be charged."""

    PARTICIPANT = "participant", _("a participant")
    CLIENT_CONTACT = "client_contact", _("the client contact")
    SUPERVISOR = "supervisor", _("the supervisor")
    PRACTICE = "practice", _("the practice")


# The causes under which the engagement's terms for late cancellations apply. Blank is a
# cancellation made before the cause was recorded: it is treated as it was then (the terms
# applied to every late cancellation), so that no figure already shown or invoiced changes.
CLIENT_SIDE = frozenset({CancelledBy.PARTICIPANT, CancelledBy.CLIENT_CONTACT})
BILLABLE_CAUSES = frozenset({*CLIENT_SIDE, ""})
