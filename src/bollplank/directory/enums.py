"""Choices of the directory: what a visitor asks for, and where an inquiry stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InquiryStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("inquiry", "new")
    DIALOGUE = "dialogue", _("in dialogue")
    OFFER = "offer", _("offer sent")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class InquiryFocus(models.TextChoices):
    PROCESS = "process", _("process supervision")
    CASE = "case", _("case supervision")
    UNSURE = "unsure", _("not sure yet")


class Place(models.TextChoices):
    CLIENT = "client", _("at our workplace")
    SUPERVISOR = "supervisor", _("at the supervisor's premises")
    VIDEO = "video", _("by video")
    ANY = "any", _("any of these")


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("every week")
    BIWEEKLY = "biweekly", _("every other week")
    MONTHLY = "monthly", _("once a month")
    UNSURE = "unsure", _("not sure yet")


# Share of a week a rhythm asks for: the need the recommendation compares free time against.
RHYTHM_PER_WEEK = {
    Rhythm.WEEKLY: 1.0,
    Rhythm.BIWEEKLY: 0.5,
    Rhythm.MONTHLY: 0.25,
    Rhythm.UNSURE: 0.5,
}


class Language(models.TextChoices):
    SWEDISH = "sv", pgettext_lazy("language", "Swedish")
    ENGLISH = "en", pgettext_lazy("language", "English")
    FINNISH = "fi", _("Finnish")
    ARABIC = "ar", _("Arabic")
    PERSIAN = "fa", _("Persian")
    SPANISH = "es", _("Spanish")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    SIGN = "sgn", _("Swedish sign language")


# Photo upload limits: small enough to serve from the database, large enough for a portrait.
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_PIXELS = 4000
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# Spam protection of the public inquiry form.
MIN_SECONDS_TO_SUBMIT = 3
MAX_FORM_AGE_SECONDS = 24 * 3600
INQUIRIES_PER_HOUR_PER_ADDRESS = 5
INQUIRIES_PER_DAY_PER_ADDRESS = 20
