"""The practice's Peppol access point: validation only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.clients.enums import PeppolScheme


class AccessPointForm(forms.Form):
    """The provider's API address, the practice's own Peppol address (the sender) and the API
    key, which is never shown back: left empty, the stored one is kept."""

    base_url = forms.URLField(
        label=_("API address"),
        max_length=200,
        assume_scheme="https",
        help_text=_(
            "The address of your access point provider's API, e.g. https://api.example.se/v1."
        ),
    )
    peppol_scheme = forms.ChoiceField(
        label=_("Peppol address scheme"),
        choices=PeppolScheme.choices,
        initial=PeppolScheme.SE_ORG,
    )
    peppol_id = forms.CharField(
        label=_("The practice's Peppol address"),
        max_length=50,
        help_text=_("Usually the practice's organisation number (scheme 0007)."),
    )
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, has_key: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_key = has_key
        self.fields["api_key"].help_text = (
            _("A key is stored. Leave the field empty to keep it.")
            if has_key
            else _("The key the provider gave you for its API.")
        )

    def clean_base_url(self) -> str:
        url = self.cleaned_data["base_url"]
        parts = urlsplit(url)
        # The API key travels with every call: never over plain http.
        if parts.scheme != "https" or parts.query or parts.fragment or parts.username:
            raise forms.ValidationError(
                _("Give the API's address starting with https://, without ? or #.")
            )
        return url.rstrip("/")

    def clean_api_key(self) -> str:
        key = self.cleaned_data.get("api_key", "")
        if not key and not self.has_key:
            raise forms.ValidationError(_("Give the access point's API key."))
        return key
