"""The roles a person holds in a practice (accounts.Membership.role). They live on the ground
floor because the tenancy guard (core.tenancy) decides on them for every practice page."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    ADMIN = "admin", _("practice admin")
    SUPERVISOR = "supervisor", pgettext_lazy("role", "supervisor")
    CLIENT_CONTACT = "client_contact", _("client contact")
    PARTICIPANT = "participant", pgettext_lazy("role", "participant")


STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
