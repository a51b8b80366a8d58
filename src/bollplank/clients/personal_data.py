"""Contact people at client organisations (core/personal_data_registry.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bollplank.clients.models import ClientContact
from bollplank.core.personal_data_registry import Category, register


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": c.practice.name,
            "client": c.client.name,
            "name": c.name,
            "email": c.email,
            "phone": c.phone,
            "title": c.title,
        }
        for c in ClientContact.objects.filter(user=user).select_related("practice", "client")
    ]


def _erase(user: Any) -> int:
    count = 0
    for c in ClientContact.objects.filter(user=user):
        c.name = _("Erased contact")
        c.email = f"erased-contact-{c.pk}@invalid.invalid"
        c.phone = c.title = ""
        c.user = None
        c.save(update_fields=["name", "email", "phone", "title", "user"])
        count += 1
    return count


register(
    Category(
        key="clients.contacts",
        label=gettext_lazy("contact people at client organisations"),
        purpose=gettext_lazy("to agree on and follow up supervision with the client"),
        legal_basis=gettext_lazy("the contract with the client (Art. 6.1 b, f)"),
        subjects=gettext_lazy("client contacts"),
        recipients=gettext_lazy("the practice"),
        export=_export,
        erase=_erase,
        erasure=gettext_lazy("Kept without name or address; the login link is removed."),
        practices=lambda user: set(
            ClientContact.objects.filter(user=user).values_list("practice_id", flat=True)
        ),
        # After the categories that find the person's rows through this link.
        order=90,
    )
)
