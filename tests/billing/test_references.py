"""The buyer's Peppol address and references on invoices: what the draft carries, what issuing
refuses, and what the PDF and the e-invoice say (checked with the EN 16931 / Peppol rules)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.billing import services
from bollplank.billing.models import BillingSettings, Invoice, InvoiceCounter
from bollplank.billing.pdf import invoice_pdf
from bollplank.billing.ubl import invoice_ubl
from bollplank.clients.models import Client
from bollplank.engagements.models import Engagement
from tests.billing.conftest import day, held_meeting, month_end
from tests.billing.ubl_rules import (
    CAC,
    CBC,
    check_en16931,
    check_endpoints,
    peppol_address_schemes,
)
from tests.conftest import World
from tests.pdftext import pdf_text

P = "ekbacken"
GLN = "7350053850019"
BUYER = f"{CAC}AccountingCustomerParty/{CAC}Party/"
SELLER = f"{CAC}AccountingSupplierParty/{CAC}Party/"


def draft_of(w: World) -> Invoice:
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=w.admin, practice=w.practice, period_start=day(1), period_end=month_end()
        )
    return draft


def issue(w: World, draft: Invoice) -> Invoice:
    with scopes_disabled():
        return services.invoice_issue(actor=w.admin, invoice=draft, today=day(2, 1))


def client_update(w: World, **fields: object) -> None:
    with scopes_disabled():
        Client.objects.filter(pk=w.client.pk).update(**fields)


def engagement_update(engagement: Engagement, **fields: object) -> None:
    with scopes_disabled():
        Engagement.objects.filter(pk=engagement.pk).update(**fields)


def ubl_of(invoice: Invoice) -> ET.Element:
    with scopes_disabled():
        xml = invoice_ubl(invoice)
    assert check_en16931(xml) == []
    assert check_endpoints(xml) == []
    return ET.fromstring(xml)  # noqa: S314


# --- the e-invoice's addresses and references -------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("", ""),  # no address of its own: the organisation number under 0007, as before
        ("0007", "2120000142"),
        ("0088", GLN),
        ("0192", "974760673"),
        ("9930", "DE123456789"),
    ],
)
def test_ubl_addresses_the_buyer_in_its_scheme_and_passes_the_rules(billing, scheme, value):
    client_update(billing, peppol_scheme=scheme, peppol_id=value)
    root = ubl_of(issue(billing, draft_of(billing)))
    endpoint = root.find(f"{BUYER}{CBC}EndpointID")
    assert endpoint is not None
    assert (endpoint.get("schemeID"), endpoint.text) == (scheme or "0007", value or "2120000142")
    # The legal registration stays the organisation number; the seller is addressed by its own.
    legal = root.find(f"{BUYER}{CAC}PartyLegalEntity/{CBC}CompanyID")
    assert legal is not None and (legal.get("schemeID"), legal.text) == ("0007", "2120000142")
    seller = root.find(f"{SELLER}{CBC}EndpointID")
    assert seller is not None and (seller.get("schemeID"), seller.text) == ("0007", "5566778899")


def test_ubl_of_a_credit_note_keeps_the_gln_and_the_order_number(billing):
    client_update(billing, peppol_scheme="0088", peppol_id=GLN, order_number="PO-77")
    invoice = issue(billing, draft_of(billing))
    with scopes_disabled():
        note = services.invoice_credit(actor=billing.admin, invoice=invoice, today=day(2, 1))
    root = ubl_of(note)
    assert root.findtext(f"{BUYER}{CBC}EndpointID") == GLN
    assert root.findtext(f"{CAC}OrderReference/{CBC}ID") == "PO-77"
    assert root.findtext(f"{CBC}BuyerReference") == "SOL-4410"


def test_ubl_with_only_an_order_number_has_no_empty_buyer_reference(billing):
    client_update(billing, invoice_reference="", order_number="4500012345")
    root = ubl_of(issue(billing, draft_of(billing)))
    assert root.find(f"{CBC}BuyerReference") is None
    assert root.findtext(f"{CAC}OrderReference/{CBC}ID") == "4500012345"
    # UBL's order: the order reference follows the invoice period, before the parties.
    names = [child.tag.split("}")[1] for child in root]
    assert names.index("InvoicePeriod") < names.index("OrderReference")
    assert names.index("OrderReference") < names.index("AccountingSupplierParty")


def test_the_rule_checker_catches_a_bad_gln_and_an_unknown_scheme(billing):
    client_update(billing, peppol_scheme="0088", peppol_id=GLN)
    with scopes_disabled():
        xml = invoice_ubl(issue(billing, draft_of(billing)))
    bad_digit = xml.replace(GLN.encode(), b"7350053850018")
    assert check_endpoints(bad_digit) == ["PEPPOL-COMMON-R040"]
    if peppol_address_schemes() is None:
        pytest.skip("the official Peppol rules are not on this machine")
    # 9955 (Swedish VAT number) left the code list in 2025: the network refuses it.
    unknown = xml.replace(b'schemeID="0088"', b'schemeID="9955"')
    assert check_endpoints(unknown) == ["PEPPOL-EN16931-CL008"]


# --- what the draft carries -------------------------------------------------------------------


def test_draft_carries_the_engagements_references_when_they_agree(billing):
    held_meeting(billing.other_engagement, day(17))
    client_update(billing, order_number="RAM-1")
    for engagement in (billing.engagement, billing.other_engagement):
        engagement_update(engagement, buyer_reference="Rektor 4711", order_number="PO-9")
    draft = draft_of(billing)
    assert (draft.buyer_reference, draft.order_number) == ("Rektor 4711", "PO-9")


def test_draft_takes_the_clients_references_when_its_engagements_differ(billing):
    held_meeting(billing.other_engagement, day(17))
    client_update(billing, order_number="RAM-1")
    engagement_update(billing.engagement, order_number="PO-9")
    draft = draft_of(billing)
    assert (draft.buyer_reference, draft.order_number) == ("SOL-4410", "RAM-1")


def test_issuing_keeps_the_references_of_the_draft(billing):
    draft = draft_of(billing)
    with scopes_disabled():
        services.invoice_references_save(
            actor=billing.admin, invoice=draft, buyer_reference=" Eva Ek ", order_number="PO-1"
        )
    client_update(billing, invoice_reference="changed later")
    invoice = issue(billing, draft)
    assert (invoice.buyer_reference, invoice.order_number) == ("Eva Ek", "PO-1")


def test_references_of_an_issued_invoice_cannot_change(billing):
    invoice = issue(billing, draft_of(billing))
    with scopes_disabled(), pytest.raises(ValidationError, match="Bara ett utkast"):
        services.invoice_references_save(
            actor=billing.admin, invoice=invoice, buyer_reference="", order_number="PO-1"
        )
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).order_number == ""


# --- issuing refused while a required reference is missing ------------------------------------


@pytest.mark.parametrize(
    ("requires", "changes", "message"),
    [
        (
            {"requires_order_number": True},
            {},
            "Solbacka skola kräver ordernummer på varje faktura, och det saknas.",
        ),
        (
            {"requires_buyer_reference": True},
            {"invoice_reference": ""},
            "Solbacka skola kräver köparens referens på varje faktura, och den saknas.",
        ),
    ],
)
def test_issuing_is_refused_while_a_required_reference_is_missing(
    billing, requires, changes, message
):
    client_update(billing, **requires, **changes)
    draft = draft_of(billing)
    with pytest.raises(ValidationError) as exc:
        issue(billing, draft)
    assert exc.value.messages == [message]
    with scopes_disabled():
        assert Invoice.objects.get(pk=draft.pk).status == "draft"
        assert not InvoiceCounter.objects.filter(practice=billing.practice).exists()


def test_draft_page_shows_what_is_missing_and_the_references_are_added_there(client, billing):
    client_update(billing, requires_order_number=True, requires_buyer_reference=True)
    draft = draft_of(billing)
    client.force_login(billing.admin)
    detail = reverse("invoice_detail", args=[P, draft.pk])

    page = client.get(detail).content.decode()
    assert "kräver ordernummer på varje faktura, och det saknas." in page
    assert "Fakturan kan inte utfärdas förrän det som saknas är ifyllt." in page
    assert "kräver köparens referens" not in page  # SOL-4410 came from the client
    response = client.post(reverse("invoice_issue", args=[P, draft.pk]), follow=True)
    assert "Solbacka skola kräver ordernummer på varje faktura" in response.content.decode()

    # Too long: refused with a message, what was typed kept, nothing saved.
    edit = reverse("invoice_references", args=[P, draft.pk])
    response = client.post(edit, {"buyer_reference": "SOL-4410", "order_number": "9" * 101})
    page = response.content.decode()
    assert "som mest 100 tecken" in page and 'value="SOL-4410"' in page
    response = client.post(edit, {"buyer_reference": "SOL-4410", "order_number": "PO 2026-17"})
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "PO 2026-17" in page and "saknas" not in page

    client.post(reverse("invoice_issue", args=[P, draft.pk]))
    with scopes_disabled():
        invoice = Invoice.objects.get(pk=draft.pk)
        pdf = invoice_pdf(invoice, BillingSettings.objects.get(practice=billing.practice))
    assert (invoice.status, invoice.order_number) == ("open", "PO 2026-17")
    text = pdf_text(pdf)
    assert "Ert ordernummer" in text and "PO 2026-17" in text
    assert "Er referens" in text and "SOL-4410" in text
    assert ubl_of(invoice).findtext(f"{CAC}OrderReference/{CBC}ID") == "PO 2026-17"
    # The page of an issued invoice offers no change.
    response = client.get(edit)
    assert response.status_code == 404
