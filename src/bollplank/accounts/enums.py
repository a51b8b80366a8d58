"""Choices of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvitationStatus(models.TextChoices):
    """Where a person stands with logging in, as the practice's people lists show it."""

    NOT_INVITED = "not_invited", _("not invited")
    INVITED = "invited", _("invited")
    ACCEPTED = "accepted", _("accepted")
    EXPIRED = "expired", _("invitation expired")
