"""Forms of an organisation's own sign-in: the provider's settings, a linked identity, and the
organisation a person signs in through."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bollplank.accounts.assurance import strong_acr_clean
from bollplank.core.forms import KeptSecretForm
from bollplank.core.roles import Role


class ProviderForm(forms.Form):
    """What every organisation's log-in has, OpenID Connect or SAML: the name on its button,
    whose it is, and the roles that must use it. A subclass adds its protocol's settings and
    lists its fields in order (``field_order``)."""

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


class IdentityProviderForm(ProviderForm, KeptSecretForm):
    """An OpenID Connect provider; its client secret is never shown back."""

    field_order = ["name", "client", "server_url", "client_id", "required_for", "strong_acr"]

    server_url = forms.URLField(
        label=_("Issuer address"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "The provider's issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0; "
            "its settings are read from /.well-known/openid-configuration there."
        ),
    )
    client_id = forms.CharField(
        label=_("Client id"),
        max_length=191,
        help_text=_("The id Bollplank is registered with at the provider."),
    )
    strong_acr = forms.CharField(
        label=_("Levels of assurance that count as two-factor login"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One acr value a line. A log-in the provider reports at one of these levels, or "
            "with a multi-factor method (amr), needs no further two-factor login in Bollplank."
        ),
    )
    secret_help = _("The client secret the provider gave when Bollplank was registered.")
    secret_missing = _("Give the client secret.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].label = _("Client secret")

    def clean_strong_acr(self) -> list[str]:
        return strong_acr_clean(self.cleaned_data.get("strong_acr") or "")


class PersonChoiceField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        # Name and address: two people may share a name.
        return f"{obj.name} <{obj.email}>"


class IdentityLinkForm(forms.Form):
    """Link a person to the identity the provider knows them by."""

    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Person"), queryset=None)
    subject = forms.CharField(
        label=_("Identity at the provider (sub)"),
        max_length=191,
        help_text=_("The subject the provider reports for the person (for Entra ID: its sub)."),
    )

    def __init__(self, *args: Any, people: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = people


class OrganisationForm(forms.Form):
    """The practice whose organisations' log-ins a person chooses among."""

    practice = forms.SlugField(
        label=_("The practice's short name"),
        max_length=60,
        help_text=_("As in the practice's address, e.g. ekbacken in /p/ekbacken/."),
    )


class SignInAddressForm(forms.Form):
    """A person's address, for the log-ins of their organisation: a client organisation's
    button appears only for an address of its own people's domain."""

    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
