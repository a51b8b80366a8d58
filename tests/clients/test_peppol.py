"""A client's Peppol address: the scheme from the Peppol code list, the value checked per
scheme, the organisation number as the address where nothing else is given, and the
migration that gave existing clients theirs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from bollplank.clients import services
from bollplank.clients.enums import PeppolScheme
from bollplank.clients.models import Client
from bollplank.clients.peppol import normalize_participant, validate_participant
from bollplank.core.audit import AuditEvent
from tests import factories as f
from tests.billing.ubl_rules import peppol_address_schemes

P = "ekbacken"
GLN = "7350053850019"


def test_the_scheme_list_is_the_peppol_code_list():
    official = peppol_address_schemes()
    if official is None:
        pytest.skip("the official Peppol rules are not on this machine")
    assert set(PeppolScheme.values) == official
    assert PeppolScheme.values[:2] == ["0007", "0088"]


@pytest.mark.parametrize(
    ("scheme", "typed", "stored"),
    [
        ("0007", "212000-0142", "2120000142"),
        ("0007", " 2120000142 ", "2120000142"),
        ("0088", "735 0053 850019", GLN),
        ("0192", "974760673", "974760673"),
        ("9930", "DE123456789", "DE123456789"),
        ("0202", "fatture@pec.comune.example.it", "fatture@pec.comune.example.it"),
    ],
)
def test_a_valid_address_is_kept_as_the_network_writes_it(scheme, typed, stored):
    value = normalize_participant(scheme, typed)
    validate_participant(scheme, value)
    assert value == stored


@pytest.mark.parametrize(
    ("scheme", "typed", "field", "message"),
    [
        ("0007", "212000-0143", "peppol_id", "inte ett giltigt svenskt organisationsnummer"),
        ("0007", "19212000-0142", "peppol_id", "inte ett giltigt svenskt organisationsnummer"),
        ("0088", "7350053850018", "peppol_id", "inte ett giltigt GLN"),
        ("0088", "735005385001", "peppol_id", "inte ett giltigt GLN"),
        ("9930", "DE 123 456", "peppol_id", "högst 50 tecken"),
        ("9930", "x" * 51, "peppol_id", "högst 50 tecken"),
        ("0088", "", "peppol_id", "Ange Peppol-adressen"),
        ("", GLN, "peppol_scheme", "Välj vilket schema"),
        ("9955", "SE556677889901", "peppol_scheme", "Peppols kodlista"),
    ],
)
def test_a_bad_address_is_refused_with_a_swedish_message(scheme, typed, field, message):
    with translation.override("sv"), pytest.raises(ValidationError) as exc:
        validate_participant(scheme, normalize_participant(scheme, typed))
    assert list(exc.value.message_dict) == [field]
    assert message in " ".join(exc.value.message_dict[field])


def test_a_new_client_is_addressed_by_its_organisation_number(world):
    with scopes_disabled():
        made = services.client_create(
            actor=world.admin,
            practice=world.practice,
            name="Björkskolan",
            org_number="2120000142",
            sector="school",
        )
        without = services.client_create(
            actor=world.admin, practice=world.practice, name="Föreningen", sector="other"
        )
    assert (made.peppol_scheme, made.peppol_id, made.peppol_address) == (
        "0007",
        "2120000142",
        "0007:2120000142",
    )
    assert (without.peppol_scheme, without.peppol_id) == ("", "")


def _edit(client, world, org_number: str, scheme: str, value: str) -> Client:
    """The client's form sent as the page shows it, with a new organisation number."""
    client.force_login(world.admin)
    shown = ("name", "sector", "street", "postal_code", "city", "language", "invoice_reference")
    client.post(
        reverse("client_edit", args=[P, world.client.pk]),
        {
            **{name: getattr(world.client, name) for name in shown},
            "org_number": org_number,
            "peppol_scheme": scheme,
            "peppol_id": value,
        },
    )
    with scopes_disabled():
        return Client.objects.get(pk=world.client.pk)


def test_a_corrected_organisation_number_moves_the_address_made_from_it(client, world):
    with scopes_disabled():
        services.client_update(actor=world.admin, client=world.client, org_number="2120000142")
        world.client.refresh_from_db()
    assert world.client.peppol_address == "0007:2120000142"

    # The page still shows the old address when the number is corrected.
    saved = _edit(client, world, "232100-0032", "0007", "2120000142")
    assert saved.peppol_address == "0007:2321000032"
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="clients.client.updated").last()
    assert event.data == {"fields": ["org_number", "peppol_id"]}

    # Without a number, an address made from it goes too.
    assert _edit(client, world, "", "0007", "2321000032").peppol_address == ""


def test_an_address_set_by_hand_stays_when_the_organisation_number_changes(client, world):
    saved = _edit(client, world, "212000-0142", "0088", GLN)
    assert saved.peppol_address == "0088:" + GLN

    assert _edit(client, world, "232100-0032", "0088", GLN).peppol_address == "0088:" + GLN
    # Another organisation's number under 0007, typed by hand, stays too.
    assert (
        _edit(client, world, "212000-0142", "0007", "2321000032").peppol_address
        == "0007:2321000032"
    )


def test_client_form_saves_a_gln_and_the_requirements(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("client_edit", args=[P, world.client.pk]),
        {
            "name": "Region Sörmland",
            "org_number": "232100-0032",
            "sector": "health_care",
            "language": "sv",
            "invoice_reference": "RS-1234",
            "order_number": "",
            "requires_buyer_reference": "on",
            "requires_order_number": "on",
            "peppol_scheme": "0088",
            "peppol_id": "735 0053 850019",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        saved = Client.objects.get(pk=world.client.pk)
    assert (
        saved.peppol_address,
        saved.invoice_reference,
        saved.requires_buyer_reference,
        saved.requires_order_number,
    ) == ("0088:" + GLN, "RS-1234", True, True)
    page = client.get(reverse("client_detail", args=[P, world.client.pk])).content.decode()
    assert "0088:7350053850019" in page
    assert "GLN (Global Location Number)" in page
    assert page.count("krävs på varje faktura") == 2


def test_client_form_refuses_a_bad_gln_and_keeps_what_was_typed(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("client_edit", args=[P, world.client.pk]),
        {
            "name": "Region Sörmland",
            "org_number": "232100-0032",
            "sector": "health_care",
            "language": "sv",
            "peppol_scheme": "0088",
            "peppol_id": "7350053850018",
        },
    )
    page = response.content.decode()
    assert "inte ett giltigt GLN" in page
    assert 'value="7350053850018"' in page
    assert 'value="Region Sörmland"' in page
    assert '<option value="0088" selected>0088 – GLN (Global Location Number)</option>' in page
    with scopes_disabled():
        assert Client.objects.get(pk=world.client.pk).name == "Solbacka skola"


def test_migration_gives_existing_clients_their_organisation_number_as_address(db):
    practice = f.PracticeFactory()
    with_number = f.ClientFactory(practice=practice, org_number="212000-0142")
    without = f.ClientFactory(practice=practice, org_number="")
    chosen = f.ClientFactory(
        practice=practice, org_number="212000-0142", peppol_scheme="0088", peppol_id=GLN
    )
    migration = importlib.import_module(
        "bollplank.clients.migrations.0002_peppol_address_and_references"
    )
    migration.org_number_as_peppol_address(apps, None)
    with scopes_disabled():
        found = {
            c.pk: (c.peppol_scheme, c.peppol_id) for c in Client.objects.filter(practice=practice)
        }
    assert found == {
        with_number.pk: ("0007", "2120000142"),
        without.pk: ("", ""),
        chosen.pk: ("0088", GLN),
    }


def test_a_cleared_address_falls_back_to_the_organisation_number(world):
    with scopes_disabled():
        found = Client.objects.get(pk=world.client.pk)
        services.client_update(actor=world.admin, client=found, peppol_scheme="0088", peppol_id=GLN)
        assert found.peppol_address == "0088:" + GLN
        services.client_update(actor=world.admin, client=found, peppol_scheme="", peppol_id="")
        assert Client.objects.get(pk=found.pk).peppol_address == "0007:2120000142"
