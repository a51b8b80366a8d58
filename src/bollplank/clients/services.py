"""Every write to clients and their contacts."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bollplank.clients.models import Client, ClientContact
from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.core.services import model_update
from bollplank.core.validators import normalize_org_number

CLIENT_FIELDS = (
    "name",
    "org_number",
    "sector",
    "street",
    "postal_code",
    "city",
    "invoice_reference",
    "mission",
    "language",
)


@transaction.atomic
def client_create(*, actor: Any, practice: Practice, **fields: Any) -> Client:
    """Register a client organization in the practice."""
    client = Client(practice=practice, **{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    client.full_clean()
    client.org_number = normalize_org_number(client.org_number)
    client.save()
    audit(actor, "clients.client.created", client)
    return client


@transaction.atomic
def client_update(*, actor: Any, client: Client, **fields: Any) -> Client:
    """Change a client's details. Invoices already issued keep the details they were issued with."""
    changed = model_update(instance=client, fields=CLIENT_FIELDS, data=fields)
    client.full_clean()
    client.org_number = normalize_org_number(client.org_number)
    client.save()
    audit(actor, "clients.client.updated", client, {"fields": changed})
    return client


@transaction.atomic
def contact_create(
    *, actor: Any, client: Client, name: str, email: str, phone: str = "", title: str = ""
) -> ClientContact:
    """Add a contact person at the client."""
    contact = ClientContact(
        practice=client.practice,
        client=client,
        name=name,
        email=email.lower(),
        phone=phone,
        title=title,
    )
    contact.full_clean()
    contact.save()
    audit(actor, "clients.contact.created", contact)
    return contact
