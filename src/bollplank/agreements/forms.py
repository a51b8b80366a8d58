"""The forms of the agreement: the language of a new version, the client's acceptance."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AgreementCreateForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the agreement"), choices=settings.LANGUAGES)


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the agreement and accept it on behalf of the client."),
        required=False,
    )
