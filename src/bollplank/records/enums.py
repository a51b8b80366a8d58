from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may read a question sent in before a meeting."""

    SUPERVISOR = "supervisor", _("only the supervisor")
    GROUP = "group", _("the supervisor and the group")


class Audience:
    """Who can read a text: shown beside every confidential text area and page."""

    ONLY_YOU = "only_you"
    YOU_AND_GROUP = "you_and_group"
    YOU_AND_SUPERVISOR = "you_and_supervisor"
    SUPERVISOR_AND_GROUP = "supervisor_and_group"
