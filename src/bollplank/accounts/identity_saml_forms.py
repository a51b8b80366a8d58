"""The practice admin's form for a SAML 2.0 identity provider."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.accounts.identity_forms import ProviderForm


class SamlProviderForm(ProviderForm):
    """A SAML 2.0 provider: its metadata address, or its entity id, sign-in address and
    signing certificate; and whether it vouches for the addresses it sends."""

    field_order = [
        "name",
        "client",
        "entity_id",
        "metadata_url",
        "sso_url",
        "x509cert",
        "verifies_email",
        "required_for",
    ]

    entity_id = forms.CharField(
        label=_("The identity provider's entity id"),
        max_length=300,
        help_text=_("As in its metadata (entityID), e.g. https://idp.example.se/saml."),
    )
    metadata_url = forms.URLField(
        label=_("Metadata address"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Where the identity provider publishes its metadata; or fill in the two below."
        ),
    )
    sso_url = forms.URLField(
        label=_("Sign-in address (SingleSignOnService, HTTP-Redirect)"),
        max_length=300,
        required=False,
        assume_scheme="https",
    )
    x509cert = forms.CharField(
        label=_("Signing certificate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The identity provider's signing certificate (PEM or its base64 text)."),
    )
    verifies_email = forms.BooleanField(
        label=_("The identity provider confirms e-mail addresses"),
        required=False,
        help_text=_(
            "Tick only if the addresses it sends (attribute mail) come from the organisation's "
            "own directory: a person is then recognised by their address."
        ),
    )
