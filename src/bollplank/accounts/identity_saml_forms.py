"""The practice admin's form for a SAML 2.0 identity provider."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bollplank.core.roles import Role


class SamlProviderForm(forms.Form):
    """A SAML 2.0 provider: its metadata address, or its entity id, sign-in address and
    signing certificate; and whether it vouches for the addresses it sends."""

    name = forms.CharField(
        label=_("Name on the button"),
        max_length=100,
        help_text=_("The button says “Log in with” and this, e.g. Malmö stads inloggning."),
    )
    client: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Whose log-in"),
        queryset=None,
        required=False,
        empty_label=_("The practice's own"),
        help_text=_(
            "A client organisation's log-in is for its staff in your groups and its contacts."
        ),
    )
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
    required_for = forms.MultipleChoiceField(
        label=_("Required for"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People in these roles must log in here and cannot use a password."),
    )

    def __init__(self, *args: Any, clients: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.queryset = clients
