"""Where an agreement's version stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementStatus(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("agreement", "accepted")
    AWAITING = "awaiting", _("awaiting acceptance")
    # The engagement's terms changed after this version: a new version must be made.
    OUTDATED = "outdated", _("the terms have changed")
    REPLACED = "replaced", _("replaced by a newer version")
