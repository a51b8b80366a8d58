from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    ADMIN = "admin", _("practice admin")
    SUPERVISOR = "supervisor", pgettext_lazy("role", "supervisor")
    CLIENT_CONTACT = "client_contact", _("client contact")
    PARTICIPANT = "participant", pgettext_lazy("role", "participant")


STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
