"""The demo firm's clients (called from demo/firm.py): each organisation and its contact person,
made through the services."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from stdnum import luhn
from stdnum.se import orgnr

from bollplank.clients.models import Client, ClientContact
from bollplank.clients.services import client_create, contact_create
from bollplank.core.models import Practice


def org_number(nine_digits: str) -> str:
    """A valid organisation number made from nine digits plus the Luhn check digit."""
    number = nine_digits + luhn.calc_check_digit(nine_digits)
    assert orgnr.is_valid(number), number
    return orgnr.format(number)


@dataclass(frozen=True)
class ClientSpec:
    key: str
    name: str
    org_base: str  # nine digits; public bodies start with 2
    sector: str
    street: str
    postal_code: str
    city: str
    invoice_reference: str
    mission: str
    contact: str
    contact_title: str
    domain: str
    contact_login: bool = False
    # A Peppol address other than the organisation number (scheme, value), e.g. a region's GLN.
    peppol: tuple[str, str] = ("", "")
    requires_buyer_reference: bool = False


def demo_client(
    *,
    actor: Any,
    practice: Practice,
    spec: ClientSpec,
    contact_email: str,
    rng: random.Random,
) -> tuple[Client, ClientContact]:
    """The client and its contact person, with a made-up phone number drawn from ``rng``."""
    client = client_create(
        actor=actor,
        practice=practice,
        name=spec.name,
        org_number=org_number(spec.org_base),
        sector=spec.sector,
        street=spec.street,
        postal_code=spec.postal_code,
        city=spec.city,
        invoice_reference=spec.invoice_reference,
        requires_buyer_reference=spec.requires_buyer_reference,
        peppol_scheme=spec.peppol[0],
        peppol_id=spec.peppol[1],
        mission=spec.mission,
    )
    contact = contact_create(
        actor=actor,
        client=client,
        name=spec.contact,
        email=contact_email,
        title=spec.contact_title,
        phone=f"0171-{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
    )
    return client, contact


def demo_contact_login(contact: ClientContact, user: Any) -> None:
    """Link the contact to their login: what accepting an invitation does, without the
    e-mail."""
    ClientContact.objects.filter(pk=contact.pk).update(user=user)
