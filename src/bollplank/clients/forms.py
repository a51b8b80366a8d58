from __future__ import annotations

from django import forms

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
            "language",
            "mission",
        ]
        widgets = {"mission": forms.Textarea(attrs={"rows": 6})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ["name", "email", "phone", "title"]
