from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Side(models.TextChoices):
    MENTOR = "mentor", pgettext_lazy("mentoring", "mentor")
    MENTEE = "mentee", pgettext_lazy("mentoring", "mentee")


class PairStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED_EARLY = "early", _("ended early")
    COMPLETED = "done", _("completed")


class ResponseKind(models.TextChoices):
    CHECKIN = "checkin", _("check-in")
    END = "end", _("end evaluation")


AVAILABILITY = [
    ("mon-am", _("Monday morning")),
    ("mon-pm", _("Monday afternoon")),
    ("tue-am", _("Tuesday morning")),
    ("tue-pm", _("Tuesday afternoon")),
    ("wed-am", _("Wednesday morning")),
    ("wed-pm", _("Wednesday afternoon")),
    ("thu-am", _("Thursday morning")),
    ("thu-pm", _("Thursday afternoon")),
    ("fri-am", _("Friday morning")),
    ("fri-pm", _("Friday afternoon")),
]

PART_LABELS = {
    "expertise": _("expertise meets needs"),
    "goals": _("shared goals"),
    "location": _("same location"),
    "availability": _("availability overlap"),
    "preferences": _("stated preferences"),
}

# Why a mentee found no mentor (codes from matching.Unmatched.reason).
REASONS = {
    "language": _("no mentor shares a language"),
    "experience": _("no mentor (sharing a language) is enough years more experienced"),
    "unit": _("every remaining mentor is in the same unit"),
    "manager": _("every remaining mentor is the mentee's manager or direct report"),
    "forbidden": _("every remaining mentor is a forbidden pair"),
    "self": _("the only mentor is the mentee themselves"),
    "no_mentors": _("the programme has no mentors"),
    "capacity": _("all eligible mentors are full"),
}
