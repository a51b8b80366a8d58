from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Form(models.TextChoices):
    INDIVIDUAL = "individual", pgettext_lazy("form", "individual")
    GROUP = "group", pgettext_lazy("form", "group")


# Defaults from the seed texts: individual 1 hour, group 2 hours, a group of at least 2.
DEFAULT_MINUTES = {Form.INDIVIDUAL: 60, Form.GROUP: 120}
MIN_GROUP_SIZE = 2


class Focus(models.TextChoices):
    PROCESS = "process", pgettext_lazy("focus", "process")
    CASE = "case", pgettext_lazy("focus", "case")
    MIXED = "mixed", pgettext_lazy("focus", "mixed")


class Venue(models.TextChoices):
    SUPERVISOR_PREMISES = "supervisor", _("the supervisor's premises")
    CLIENT_PREMISES = "client", _("the client's premises")
    VIDEO = "video", _("video link")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


class AttendanceVisibility(models.TextChoices):
    """What the client contact sees of attendance, as agreed with the client: per meeting
    shows the named person's attendance in individual supervision, so it is not the default
    there."""

    NOTHING = "nothing", _("nothing")
    TERM_COUNTS = "term_counts", _("counts per term")
    PER_MEETING = "per_meeting", _("per meeting")


def default_attendance_visibility(form: str) -> str:
    if form == Form.INDIVIDUAL:
        return AttendanceVisibility.TERM_COUNTS
    return AttendanceVisibility.PER_MEETING
