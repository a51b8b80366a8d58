"""Issued invoices and credit notes reach their buyers from the task worker: by Peppol through
the practice's access point (a stand-in of the provider's API on 127.0.0.1 that checks what it
gets), else as a PDF by e-mail; with retries, refusals shown in Swedish, sending again, the
access point's settings page and the query count of the invoice page's deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.billing import services, tasks
from bollplank.billing.enums import DeliveryChannel, DeliveryStatus
from bollplank.billing.models import AccessPoint, Delivery, Invoice
from bollplank.billing.services.delivery import BACKOFF, CHECKS, MAX_ATTEMPTS
from bollplank.billing.transports import AccessPointTransport, DeliveryError
from bollplank.clients.models import Client, ClientContact
from bollplank.core import crypto
from bollplank.core.audit import AuditEvent
from tests.billing.access_point import API_KEY, StandIn, run_stand_in
from tests.billing.conftest import day, month_end
from tests.billing.ubl_rules import CBC, check_en16931, check_endpoints
from tests.conftest import World
from tests.test_query_counts import BASE

P = "ekbacken"
GLN = "7350053850019"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from run_stand_in()


@pytest.fixture
def peppol(billing: World, stand_in: StandIn) -> World:
    """The practice sends through the stand-in; the client is on Peppol under its GLN."""
    with scopes_disabled():
        services.access_point_save(
            actor=billing.admin,
            practice=billing.practice,
            base_url=stand_in.url,
            peppol_scheme="0007",
            peppol_id="5566778899",
            api_key=API_KEY,
        )
        Client.objects.filter(pk=billing.client.pk).update(peppol_scheme="0088", peppol_id=GLN)
    return billing


def _draft(w: World) -> Invoice:
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=w.admin, practice=w.practice, period_start=day(1), period_end=month_end()
        )
    return draft


def _issue(w: World, capture: Any) -> Invoice:
    """Issue the world's invoice; the transaction's commit hands its delivery to the worker
    (the immediate backend runs it there and then)."""
    draft = _draft(w)
    with scopes_disabled(), capture(execute=True):
        return services.invoice_issue(actor=w.admin, invoice=draft, today=day(2, 1))


def _deliveries(invoice: Invoice) -> list[Delivery]:
    with scopes_disabled():
        return list(Delivery.objects.filter(invoice=invoice).order_by("pk"))


def _run_due(capture: Any) -> dict[str, int]:
    """The worker's sweep, as it runs when a retry falls due."""
    with capture(execute=True):
        return tasks.deliver_due_invoices.call()


def _page(client: Any, w: World, invoice: Invoice) -> str:
    client.force_login(w.admin)
    return client.get(reverse("invoice_detail", args=[P, invoice.pk])).content.decode()


# --- by Peppol --------------------------------------------------------------------------------


def test_issued_invoice_goes_through_the_access_point_and_is_delivered(
    peppol, stand_in, client, traveller, django_capture_on_commit_callbacks
):
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [received] = stand_in.state.received
    assert stand_in.state.refused == []
    assert (received.sender, received.receiver) == ("0007:5566778899", f"0088:{GLN}")
    assert check_en16931(received.document) == [] and check_endpoints(received.document) == []
    assert received.root.findtext(f"{CBC}ID") == invoice.display_number
    assert received.root.findtext(f"{CBC}BuyerReference") == "SOL-4410"
    [delivery] = _deliveries(invoice)
    assert (delivery.channel, delivery.status, delivery.recipient, delivery.message_id) == (
        DeliveryChannel.PEPPOL,
        DeliveryStatus.SENT,
        f"0088:{GLN}",
        "msg-1",
    )
    assert mail.outbox == []  # no PDF by e-mail besides
    # The worker looks at the document's status a minute later: the buyer's side has it.
    assert _run_due(django_capture_on_commit_callbacks) == {}
    traveller.shift(CHECKS[0])
    assert _run_due(django_capture_on_commit_callbacks) == {"delivered": 1}
    [delivery] = _deliveries(invoice)
    assert delivery.delivered_at is not None
    page = _page(client, peppol, invoice)
    assert "Peppol (åtkomstpunkt)" in page and f"0088:{GLN}" in page and "Levererad" in page


def test_a_credit_note_goes_through_the_access_point_as_a_credit_note(
    peppol, stand_in, django_capture_on_commit_callbacks
):
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        note = services.invoice_credit(actor=peppol.admin, invoice=invoice, today=day(3, 1))
    first, second = stand_in.state.received
    assert first.root.tag.endswith("}Invoice") and second.root.tag.endswith("}CreditNote")
    assert second.document_type.startswith(
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##"
    )
    assert second.root.findtext(f"{CBC}ID") == note.display_number
    assert [d.status for d in _deliveries(note)] == [DeliveryStatus.SENT]


def test_a_failing_access_point_is_tried_again_with_growing_pauses(
    peppol, stand_in, traveller, django_capture_on_commit_callbacks
):
    stand_in.state.fail_next = 2
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at - delivery.claimed_at == BACKOFF[0]
    # Not yet due: the sweep leaves it.
    assert _run_due(django_capture_on_commit_callbacks) == {}
    traveller.shift(BACKOFF[0])
    assert _run_due(django_capture_on_commit_callbacks) == {"queued": 1}
    traveller.shift(BACKOFF[1])
    assert _run_due(django_capture_on_commit_callbacks) == {"sent": 1}
    [delivery] = _deliveries(invoice)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    assert len(stand_in.state.received) == 1  # the document went once


def test_the_delivery_fails_after_the_last_attempt(
    peppol, stand_in, traveller, django_capture_on_commit_callbacks
):
    stand_in.state.fail_next = 100
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    for pause in BACKOFF:
        traveller.shift(pause)
        _run_due(django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert stand_in.state.received == []
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="billing.invoice.delivery_failed", object_id=str(invoice.pk)
        ).exists()


def test_a_refused_invoice_fails_at_once_with_the_reason_in_swedish(
    peppol, stand_in, client, django_capture_on_commit_callbacks
):
    stand_in.state.reject_with = "receiver not registered in the SML"
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    page = _page(client, peppol, invoice)
    assert "Misslyckad" in page
    assert "Åtkomstpunkten avvisade fakturan: receiver not registered in the SML" in page
    assert "Skicka igen" in page


def test_the_buyers_side_refusing_it_later_fails_the_delivery(
    peppol, stand_in, django_capture_on_commit_callbacks
):
    stand_in.state.outcome, stand_in.state.outcome_error = "failed", "unknown buyer reference"
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert tasks.check_delivery.call(delivery_id=delivery.pk) == DeliveryStatus.FAILED
    [delivery] = _deliveries(invoice)
    assert delivery.last_error == (
        "Köparens åtkomstpunkt avvisade fakturan: unknown buyer reference"
    )


def test_a_pending_document_is_looked_at_again_and_stays_sent(
    peppol, stand_in, traveller, django_capture_on_commit_callbacks
):
    stand_in.state.outcome = "pending"
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    for _ in CHECKS:
        assert tasks.check_delivery.call(delivery_id=delivery.pk) == DeliveryStatus.SENT
    [delivery] = _deliveries(invoice)
    assert delivery.checks == len(CHECKS)
    # After the last look it stays sent: the sweep asks no more.
    traveller.shift(dt.timedelta(days=2))
    assert _run_due(django_capture_on_commit_callbacks) == {}


def test_the_stand_in_refuses_a_document_for_another_receiver(peppol, stand_in, world):
    """The stand-in checks as the provider would: a receiver other than the buyer's endpoint
    is refused, and the refusal is permanent."""
    draft = _draft(peppol)
    with scopes_disabled():
        invoice = services.invoice_issue(actor=peppol.admin, invoice=draft, today=day(2, 1))
        transport = AccessPointTransport(AccessPoint.objects.get(practice=peppol.practice))
        with pytest.raises(DeliveryError) as refused:
            transport.send(invoice, "0007:2120000142")
    assert refused.value.permanent
    assert "the receiver is not the buyer's EndpointID" in refused.value.message


def test_a_wrong_api_key_fails_with_a_clear_message(
    peppol, stand_in, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        AccessPoint.objects.filter(practice=peppol.practice).update(
            api_key_encrypted=crypto.encrypt("wrong-key")
        )
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Åtkomstpunkten godtog inte API-nyckeln (HTTP 401)."


def test_an_unexpected_error_is_counted_and_tried_again(
    peppol, stand_in, django_capture_on_commit_callbacks
):
    """A key that no longer decrypts (restored from another machine) breaks no worker: the
    attempt counts, the error is named, and the retry follows the pauses."""
    with scopes_disabled():
        AccessPoint.objects.filter(practice=peppol.practice).update(api_key_encrypted="garbage")
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.QUEUED,
        1,
        "NoteKeyError",
    )
    assert stand_in.state.calls == 0


# --- by e-mail --------------------------------------------------------------------------------


def test_a_buyer_without_a_peppol_address_gets_the_pdf_by_e_mail(
    peppol, stand_in, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        Client.objects.filter(pk=peppol.client.pk).update(peppol_scheme="", peppol_id="")
        contact = ClientContact.objects.get(client=peppol.client)
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    assert stand_in.state.received == []
    [sent] = mail.outbox
    assert sent.to == [contact.email]
    [(name, data, kind)] = sent.attachments
    assert (name.endswith(".pdf"), data[:5], kind) == (True, b"%PDF-", "application/pdf")
    [delivery] = _deliveries(invoice)
    assert (delivery.channel, delivery.status, delivery.recipient) == (
        DeliveryChannel.EMAIL,
        DeliveryStatus.SENT,
        contact.email,
    )


def test_without_an_access_point_a_peppol_buyer_gets_e_mail(
    billing, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        Client.objects.filter(pk=billing.client.pk).update(peppol_scheme="0088", peppol_id=GLN)
    invoice = _issue(billing, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert [d.channel for d in _deliveries(invoice)] == [DeliveryChannel.EMAIL]


def test_a_client_without_an_address_fails_the_delivery_and_says_what_to_do(
    billing, client, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        ClientContact.objects.filter(client=billing.client).delete()
    invoice = _issue(billing, django_capture_on_commit_callbacks)
    [delivery] = _deliveries(invoice)
    assert delivery.status == DeliveryStatus.FAILED
    assert mail.outbox == []
    assert "varken en Peppol-adress eller en kontaktperson med e-postadress" in _page(
        client, billing, invoice
    )


# --- sending again ----------------------------------------------------------------------------


def test_the_admin_sends_a_refused_invoice_again_and_both_show(
    peppol, stand_in, client, django_capture_on_commit_callbacks
):
    stand_in.state.reject_with = "temporarily blocked"
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [failed] = _deliveries(invoice)
    stand_in.state.reject_with = ""
    client.force_login(peppol.admin)
    resend = reverse("delivery_resend", args=[P, invoice.pk, failed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, follow=True)
    assert "Fakturan skickas igen." in response.content.decode()
    first, again = _deliveries(invoice)
    assert (first.status, again.status, again.requested_by_id) == (
        DeliveryStatus.FAILED,
        DeliveryStatus.SENT,
        peppol.admin.pk,
    )
    assert len(stand_in.state.received) == 1
    page = _page(client, peppol, invoice)
    assert "Misslyckad" in page and "temporarily blocked" in page
    assert page.count(">Skicka igen</button>") == 0
    # The failed one cannot be sent a second time.
    response = client.post(resend, follow=True)
    assert "Bara en misslyckad leverans kan skickas igen." not in response.content.decode()
    assert "Fakturan har redan skickats igen." in response.content.decode()
    assert len(_deliveries(invoice)) == 2
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="billing.invoice.delivery_resent").count() == 1


def test_only_a_failed_delivery_can_be_sent_again(peppol, django_capture_on_commit_callbacks):
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    [sent] = _deliveries(invoice)
    from django.core.exceptions import ValidationError

    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        services.delivery_resend(actor=peppol.admin, delivery=sent)
    assert refused.value.messages == ["Bara en misslyckad leverans kan skickas igen."]


# --- the access point's settings --------------------------------------------------------------


def test_admin_sets_the_access_point_and_the_key_is_stored_encrypted(client, billing):
    client.force_login(billing.admin)
    page = reverse("access_point_settings", args=[P])
    shown = client.get(page).content.decode()
    assert 'value="556677-8899"' in shown  # the practice's organisation number, to begin with
    response = client.post(
        page,
        {
            "base_url": "https://ap.example.se/v1/",
            "peppol_scheme": "0007",
            "peppol_id": "556677-8899",
            "api_key": "secret-key-42",
        },
        follow=True,
    )
    assert "Åtkomstpunkten är sparad." in response.content.decode()
    with scopes_disabled():
        point = AccessPoint.objects.get(practice=billing.practice)
    assert (point.base_url, point.sender) == ("https://ap.example.se/v1", "0007:5566778899")
    assert "secret-key-42" not in point.api_key_encrypted
    assert crypto.decrypt(point.api_key_encrypted) == "secret-key-42"
    assert "secret-key-42" not in client.get(page).content.decode()
    # Saved again without a key: the stored one is kept.
    client.post(
        page,
        {"base_url": "https://ap2.example.se", "peppol_scheme": "0007", "peppol_id": "5566778899"},
    )
    with scopes_disabled():
        point = AccessPoint.objects.get(practice=billing.practice)
        assert point.base_url == "https://ap2.example.se"
        assert crypto.decrypt(point.api_key_encrypted) == "secret-key-42"
        events = AuditEvent.objects.filter(action="billing.access_point.saved")
        assert [e.data["fields"] for e in events.order_by("pk")] == [
            ["base_url", "peppol_scheme", "peppol_id", "api_key"],
            ["base_url"],
        ]


def test_bad_access_point_settings_are_refused_in_swedish_and_kept(client, billing):
    client.force_login(billing.admin)
    response = client.post(
        reverse("access_point_settings", args=[P]),
        {
            "base_url": "http://ap.example.se",
            "peppol_scheme": "0088",
            "peppol_id": "7350053850018",
            "api_key": "",
        },
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Ange API:ts adress med https://, utan ? eller #." in text
    assert "Ange åtkomstpunktens API-nyckel." in text
    assert 'value="7350053850018"' in text
    with scopes_disabled():
        assert not AccessPoint.objects.exists()


def test_a_wrong_gln_is_refused_by_the_scheme_rule(client, billing):
    client.force_login(billing.admin)
    response = client.post(
        reverse("access_point_settings", args=[P]),
        {
            "base_url": "https://ap.example.se",
            "peppol_scheme": "0088",
            "peppol_id": "7350053850018",
            "api_key": "k",
        },
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not AccessPoint.objects.exists()


def test_removing_the_access_point_sends_invoices_by_e_mail(
    peppol, client, django_capture_on_commit_callbacks
):
    client.force_login(peppol.admin)
    response = client.post(
        reverse("access_point_settings", args=[P]), {"action": "remove"}, follow=True
    )
    assert "Åtkomstpunkten är borttagen." in response.content.decode()
    invoice = _issue(peppol, django_capture_on_commit_callbacks)
    assert [d.channel for d in _deliveries(invoice)] == [DeliveryChannel.EMAIL]


# --- query count ------------------------------------------------------------------------------


def _count(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_invoice_page_query_count_with_deliveries(client, billing, rows):
    draft = _draft(billing)
    with scopes_disabled():
        invoice = services.invoice_issue(actor=billing.admin, invoice=draft, today=day(2, 1))
        for _ in range(rows - 1):
            Delivery.objects.create(
                practice=billing.practice,
                invoice=invoice,
                channel=DeliveryChannel.EMAIL,
                recipient="ekonomi@solbacka.se",
                status=DeliveryStatus.FAILED,
                next_attempt_at=invoice.issued_at,
                created_at=invoice.issued_at + dt.timedelta(minutes=1),
            )
        assert Delivery.objects.filter(invoice=invoice).count() == rows
    client.force_login(billing.admin)
    count = _count(client, reverse("invoice_detail", args=[P, invoice.pk]))
    assert count == BASE + EXPECTED_DETAIL


# BASE + the invoice with its client, its lines, its credit notes, its payments, its
# deliveries (one query however many), its reminders, the practice and the client's balance.
EXPECTED_DETAIL = 8


# --- personal data ----------------------------------------------------------------------------


def test_erasing_the_contact_blanks_the_address_and_keeps_the_delivery(
    billing, django_capture_on_commit_callbacks
):
    from bollplank.privacy.services import address_erase

    with scopes_disabled():
        contact = ClientContact.objects.get(client=billing.client)
    invoice = _issue(billing, django_capture_on_commit_callbacks)
    assert [d.recipient for d in _deliveries(invoice)] == [contact.email]
    touched = address_erase(actor=billing.admin, email=contact.email.upper(), practice=None)
    assert touched["billing.deliveries"] == 1
    [delivery] = _deliveries(invoice)
    assert (delivery.recipient, delivery.status) == ("", DeliveryStatus.SENT)
