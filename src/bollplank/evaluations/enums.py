"""Choices of the evaluations app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The client sees a result only when at least this many answered (DOMAIN.md, rule 3).
MIN_GROUP = 5
# The supervisor sees an anonymous round's figures only from this many answers, so that a
# group of two cannot read each other's answers off the mean.
MIN_ANONYMOUS = 3
# Reminders go this long before the deadline.
REMIND_HOURS_BEFORE = 48


class Kind(models.TextChoices):
    AFTER_MEETING = "after_meeting", _("after-meeting check")
    EVALUATION = "evaluation", _("engagement evaluation")
    CUSTOM = "custom", _("own questionnaire")
    LICENSED = "licensed", _("licensed instrument")


class Scale(models.TextChoices):
    LINE10 = "line10", _("line 0–10")
    AGREE5 = "agree5", _("agreement 1–5")
    YESNO = "yesno", _("yes or no")
    TEXT = "text", _("free text")


SCALE_RANGE = {Scale.LINE10: (0, 10), Scale.AGREE5: (1, 5), Scale.YESNO: (0, 1)}


class Function(models.TextChoices):
    """The three functions of supervision (Proctor): learning, support, the work's standards."""

    NONE = "", _("—")
    LEARNING = "learning", _("learning")
    SUPPORT = "support", _("support")
    STANDARDS = "standards", _("the work's standards")


class Phase(models.TextChoices):
    AFTER_MEETING = "after_meeting", _("after a meeting")
    MIDPOINT = "midpoint", _("mid-point")
    END = "end", _("end")
    OTHER = "other", _("other")


class Instrument(models.TextChoices):
    """Slots for published instruments. Their names only: none of their text ships."""

    MCSS26 = "mcss26", "MCSS-26"
    ORS = "ors", "ORS"
    SRS = "srs", "SRS"
    GSRS = "gsrs", "GSRS"
    OTHER = "other", _("other licensed instrument")
