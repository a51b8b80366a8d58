"""Every write to clients and their contacts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from stdnum.se import orgnr

from bollplank.clients.enums import PeppolScheme
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
    "order_number",
    "requires_buyer_reference",
    "requires_order_number",
    "peppol_scheme",
    "peppol_id",
    "mission",
    "language",
)


def _default_peppol_address(client: Client) -> None:
    """A client with an organisation number and no Peppol address is addressed by its
    organisation number (scheme 0007), the way Swedish buyers are most often registered."""
    if client.org_number and not client.peppol_scheme and not client.peppol_id:
        client.peppol_scheme = PeppolScheme.SE_ORG
        client.peppol_id = orgnr.compact(client.org_number)


@transaction.atomic
def client_create(*, actor: Any, practice: Practice, **fields: Any) -> Client:
    """Register a client organization in the practice."""
    client = Client(practice=practice, **{k: v for k, v in fields.items() if k in CLIENT_FIELDS})
    client.full_clean()
    client.org_number = normalize_org_number(client.org_number)
    _default_peppol_address(client)
    client.save()
    audit(actor, "clients.client.created", client)
    return client


@transaction.atomic
def client_update(*, actor: Any, client: Client, **fields: Any) -> Client:
    """Change a client's details. Invoices already issued keep the details they were issued with."""
    changed = model_update(instance=client, fields=CLIENT_FIELDS, data=fields)
    client.full_clean()
    client.org_number = normalize_org_number(client.org_number)
    _default_peppol_address(client)
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
