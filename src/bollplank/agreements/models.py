"""The supervision agreement (handledningsavtal): versions of an engagement's terms as a PDF,
and the client contact's acceptance of one version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement


class Agreement(models.Model):
    """One version of an engagement's agreement. The terms are a snapshot taken when it was
    made (a later change of the engagement makes a new version, never changes this one); the
    PDF is kept as it was made, so that its SHA-256 still names it when it is accepted."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="agreements")
    version = models.PositiveSmallIntegerField(_("version"))
    terms = models.JSONField(_("terms"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="sv"
    )
    document = models.BinaryField(_("document"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    objects = ScopedManager(practice="practice")

    # Where the version stands, set by selectors.with_status for the pages (not stored: it
    # depends on the newer versions and on the engagement's terms now).
    status: str
    status_label: str
    accepted: bool
    is_newest: bool

    class Meta:
        ordering = ["engagement", "-version"]
        verbose_name = _("supervision agreement")
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "version"], name="agreement_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.engagement_id} v{self.version}"


class Acceptance(models.Model):
    """A client contact's acceptance of one version: who, when, from where, and the hash of
    the document they were shown."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    agreement = models.OneToOneField(Agreement, on_delete=models.PROTECT, related_name="acceptance")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied: the acceptance names its person even after the account is gone.
    name = models.CharField(_("name"), max_length=200)
    accepted_at = models.DateTimeField(_("accepted"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    objects = ScopedManager(practice="practice")

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.name}"
