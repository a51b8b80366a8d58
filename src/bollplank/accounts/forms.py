from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bollplank.accounts.models import User
from bollplank.core.roles import Role


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.ADMIN, Role.ADMIN.label), (Role.SUPERVISOR, Role.SUPERVISOR.label)],
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=[("sv", "Svenska"), ("en", "English")]
    )


class AcceptForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A sentence of a few words is easy to remember."),
        max_length=256,
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=256,
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password1")
        if password:
            # Every rule the password breaks (too short, too common, only digits, too like the
            # name or address) is shown at once, on the field, in the person's language.
            try:
                validate_password(
                    password, user=User(email=self.email, name=data.get("name") or "")
                )
            except ValidationError as exc:
                self.add_error("password1", exc.messages)
            if password != data.get("password2"):
                self.add_error("password2", _("The two passwords differ."))
        return data
