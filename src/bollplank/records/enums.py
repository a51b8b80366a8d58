from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may read a question sent in before a meeting."""

    SUPERVISOR = "supervisor", _("only the supervisor")
    GROUP = "group", _("the supervisor and the group")
