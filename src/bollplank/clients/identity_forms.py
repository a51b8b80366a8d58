"""The client contact's form of their organisation's log-in: the admin's form, with the choice
of organisation and of roles cut to what a client's log-in can be for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.accounts.identity import CLIENT_ROLES
from bollplank.accounts.identity_forms import IdentityProviderForm
from bollplank.core.roles import Role


class ClientIdentityProviderForm(IdentityProviderForm):
    """An OpenID Connect log-in for the staff of one of the contact's organisations."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.ModelChoiceField)
        client_field.required = True
        client_field.empty_label = None
        client_field.label = _("For the staff of")
        client_field.help_text = _("Your staff in the practice's groups, and its contact people.")
        roles = self.fields["required_for"]
        assert isinstance(roles, forms.MultipleChoiceField)
        roles.choices = [(value, label) for value, label in Role.choices if value in CLIENT_ROLES]
