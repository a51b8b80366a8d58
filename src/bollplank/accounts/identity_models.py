"""An organisation's own sign-in (its identity provider): a practice's, or a client
organisation's for its staff. The protocol settings live in allauth's SocialApp; this row says
whose it is, what the button is called and which roles must use it."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.core.models import Practice
from bollplank.core.roles import Role


class IdentityProvider(models.Model):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="identity_providers"
    )
    # Set: the sign-in of that client organisation, for its staff (participants and contacts).
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("client"),
    )
    name = models.CharField(
        _("name on the button"),
        max_length=100,
        help_text=_("What the button says after “Log in with”, e.g. Malmö stads inloggning."),
    )
    kind = models.CharField(_("protocol"), max_length=20, choices=IdentityProviderKind.choices)
    app = models.OneToOneField(
        SocialApp, on_delete=models.CASCADE, related_name="identity_provider"
    )
    # Roles (core.roles.Role values) whose holders must log in here and not with a password.
    required_for = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(practice="practice")

    class Meta:
        ordering = ["name"]
        verbose_name = _("identity provider")

    def __str__(self) -> str:
        return self.name

    @property
    def required_roles(self) -> list[str]:
        """The roles that must log in here, by their names."""
        return [str(Role(role).label) for role in self.required_for if role in Role.values]

    @property
    def login_path(self) -> str:
        """Where the "Log in with …" button posts to: allauth's login view of the protocol."""
        if self.kind == IdentityProviderKind.SAML:
            return reverse("saml_login", kwargs={"organization_slug": self.app.provider_id})
        return reverse("openid_connect_login", kwargs={"provider_id": self.app.provider_id})

    @property
    def callback_path(self) -> str:
        """Where the provider sends the person back: the address registered at the provider."""
        if self.kind == IdentityProviderKind.SAML:
            return reverse("saml_acs", kwargs={"organization_slug": self.app.provider_id})
        return reverse("openid_connect_callback", kwargs={"provider_id": self.app.provider_id})
