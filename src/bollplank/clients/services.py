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


def _address_follows(client: Client, old_org_number: str, old_address: tuple[str, str]) -> bool:
    """Whether the client's Peppol address was its old organisation number (scheme 0007) and
    is left so by this change of that number: then it was derived, not chosen, and follows the
    new number. An address set by hand (another scheme or value) stays."""
    scheme, value = old_address
    old_number = orgnr.compact(old_org_number)
    return (
        bool(old_number)
        and scheme == PeppolScheme.SE_ORG
        and value == old_number
        and (client.peppol_scheme, client.peppol_id) == old_address
        and orgnr.compact(client.org_number) != old_number
    )


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
    old_org_number, old_address = client.org_number, (client.peppol_scheme, client.peppol_id)
    changed = model_update(instance=client, fields=CLIENT_FIELDS, data=fields)
    client.full_clean()
    client.org_number = normalize_org_number(client.org_number)
    if _address_follows(client, old_org_number, old_address):
        # A corrected organisation number must not leave invoices going to the old one.
        client.peppol_scheme, client.peppol_id = "", ""
    _default_peppol_address(client)
    moved = {
        name
        for name, before in zip(("peppol_scheme", "peppol_id"), old_address, strict=True)
        if getattr(client, name) != before
    }
    changed = [name for name in CLIENT_FIELDS if name in changed or name in moved]
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
