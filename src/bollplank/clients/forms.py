from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bollplank.clients.enums import PeppolScheme
from bollplank.clients.models import Client, ClientContact


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "org_number",
            "sector",
            "street",
            "postal_code",
            "city",
            "invoice_reference",
            "order_number",
            "requires_buyer_reference",
            "requires_order_number",
            "peppol_scheme",
            "peppol_id",
            "language",
            "mission",
        ]
        widgets = {"mission": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scheme: Any = self.fields["peppol_scheme"]
        scheme.choices = [("", _("Choose a scheme")), *PeppolScheme.choices]
        scheme.choices = [
            (value, f"{value} – {label}" if value else label) for value, label in scheme.choices
        ]


class ContactForm(forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ["name", "email", "phone", "title"]
