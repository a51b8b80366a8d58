"""Choices of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InvitationStatus(models.TextChoices):
    """Where a person stands with logging in, as the practice's people lists show it."""

    NOT_INVITED = "not_invited", _("not invited")
    INVITED = "invited", _("invited")
    ACCEPTED = "accepted", _("accepted")
    EXPIRED = "expired", _("invitation expired")


class IdentityProviderKind(models.TextChoices):
    """The protocol an organisation's own sign-in speaks; allauth's provider of that name does
    the protocol (its SocialApp row holds the settings)."""

    OIDC = "openid_connect", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")
