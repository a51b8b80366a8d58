"""Billing through its pages: settings, run, review, issue, pay, credit, send, download, export;
who sees what; bad input; and the query counts of the list pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.billing import services
from bollplank.billing.exports import parse_sie
from bollplank.billing.models import BillingSettings, Invoice
from bollplank.core.roles import Role
from tests import factories as f
from tests.billing.conftest import day, held_meeting, month_end, settings_for
from tests.billing.ubl_rules import check_en16931
from tests.test_query_counts import BASE  # session, user, practice and roles

P = "ekbacken"

SETTINGS_FORM = {
    "legal_name": "Ekbacken Handledning AB",
    "org_number": "5566778899",
    "vat_number": "se 556677889901",
    "f_tax": "on",
    "street": "Ekbackevägen 7",
    "postal_code": "745 32",
    "city": "Ekby",
    "email": "faktura@ekbacken.example",
    "phone": "",
    "bankgiro": "5050-1055",
    "plusgiro": "",
    "iban": "",
    "bic": "",
    "payment_terms_days": "30",
    "late_interest_text": "Dröjsmålsränta enligt räntelagen.",
    "exemption_text": "Undantaget från skatteplikt.",
    "number_series": "",
    "first_number": "1001",
    "account_receivable": "1510",
    "account_output_vat": "2611",
    "account_sales": "3041",
    "account_sales_exempt": "3044",
    "reminder_first_days": "10",
    "reminder_interval_days": "14",
    "reminder_max": "2",
    "reminder_fee_ore": "0",
    "late_interest_percent": "0",
}


def url(name: str, *args: object) -> str:
    return reverse(name, args=[P, *args])


def test_settings_bad_input_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.admin)
    bad = {**SETTINGS_FORM, "org_number": "556677-8890", "bankgiro": "", "bic": "NOTABIC"}
    response = client.post(url("billing_settings"), bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "556677-8890" in page and "Ekbackevägen 7" in page
    assert "inte ett giltigt svenskt organisationsnummer" in page
    assert "Ange minst ett sätt att betala" in page
    assert "inte en giltig BIC" in page
    with scopes_disabled():
        assert not BillingSettings.objects.filter(practice=world.practice).exists()


def test_the_whole_walk_through_the_pages(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    response = client.post(url("billing_settings"), SETTINGS_FORM)
    assert response.status_code == 302
    with scopes_disabled():
        saved = BillingSettings.objects.get(practice=world.practice)
        world.client.invoice_reference = "SOL-4410"
        world.client.save()
    assert (saved.org_number, saved.vat_number) == ("556677-8899", "SE556677889901")

    held_meeting(world.other_engagement, day(17))
    response = client.post(
        url("invoice_run"), {"period_start": str(day(1)), "period_end": str(month_end())}
    )
    assert response.status_code == 302 and response["Location"].endswith("?status=draft")
    with scopes_disabled():
        draft = Invoice.objects.get(practice=world.practice)
        meeting_line = draft.lines.get(meeting=world.meeting)

    page = client.get(url("invoice_detail", draft.pk)).content.decode()
    assert "Fakturautkast" in page and "Siv Handledare" in page and "Olle Annan" in page

    # Review: change a line's price (Swedish decimal comma), add a travel line.
    response = client.post(
        url("invoice_line_edit", draft.pk, meeting_line.pk),
        {
            "description": "Grupphandledning, 120 min",
            "delivered_on": str(day(10)),
            "quantity": "1",
            "unit": "C62",
            "unit_price_ore": "4 000,50",
            "vat_category": "S",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url("invoice_line_add", draft.pk),
        {
            "description": "Resa",
            "delivered_on": "",
            "quantity": "1",
            "unit": "C62",
            "unit_price_ore": "350",
            "vat_category": "S",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.net_ore, draft.vat_ore, draft.total_ore) == (885050, 221263, 1106313)

    # A draft's PDF is a preview; issuing gives the number.
    response = client.get(url("invoice_pdf", draft.pk))
    assert response["Content-Type"] == "application/pdf"
    response = client.post(url("invoice_issue", draft.pk))
    assert response.status_code == 302
    invoice = Invoice.objects.with_scope(practice=world.practice).get(pk=draft.pk)
    assert (invoice.display_number, invoice.ocr, invoice.status) == ("1001", "10010189", "open")

    # Downloads.
    response = client.get(url("invoice_pdf", invoice.pk))
    assert response.content.startswith(b"%PDF-")
    assert 'filename="faktura-1001.pdf"' in response["Content-Disposition"]
    response = client.get(url("invoice_ubl", invoice.pk))
    assert check_en16931(response.content) == []

    # Sent by e-mail with the PDF attached, in the client's language.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("invoice_send", invoice.pk), {"to": "ekonomi@solbacka.se"})
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox] == ["Faktura 1001 från Ekbacken Handledning AB"]
    assert "10010189" in mail.outbox[0].body

    # Credit the travel line only.
    with scopes_disabled():
        travel = invoice.lines.get(description="Resa")
    response = client.post(url("invoice_credit", invoice.pk), {"lines": [travel.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        note = Invoice.objects.get(credited_invoice=invoice)
    assert (note.display_number, note.total_ore) == ("1002", -43750)
    # Partly credited: still open, for what is left (regression: the page only said "open").
    page = client.get(url("invoice_detail", invoice.pk)).content.decode()
    assert "Obetald, delvis krediterad" in page
    assert "Kvar att betala" in page

    # Paid.
    response = client.post(url("invoice_pay", invoice.pk), {"paid_on": "2020-01-01"})
    invoice.refresh_from_db()
    assert invoice.status == "open"  # paid before it was issued: refused
    response = client.post(
        url("invoice_pay", invoice.pk), {"paid_on": invoice.issue_date.isoformat()}
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", invoice.issue_date)

    # Accounting export.
    today = invoice.issue_date.isoformat()
    response = client.get(
        url("billing_export"), {"period_start": today, "period_end": today, "format": "sie"}
    )
    day_ = invoice.issue_date.strftime("%Y%m%d")
    assert f'filename="fakturor-{day_}-{day_}.si"' in response["Content-Disposition"]
    records = parse_sie(response.content)
    assert [r[1:5] for r in records if r[0] == "#VER"] == [
        ["F", "1", day_, "Faktura 1001 Solbacka skola"],
        ["F", "2", day_, "Kreditfaktura 1002 Solbacka skola"],
    ]
    response = client.get(
        url("billing_export"), {"period_start": today, "period_end": today, "format": "csv"}
    )
    assert response.content.decode("utf-8-sig").count("\r\n") == 3

    # Overview.
    page = client.get(url("billing_overview")).content.decode()
    assert "Solbacka skola" in page and "Allt som levererats är fakturerat." in page


def test_issue_page_shows_the_refusal(client, billing):
    with scopes_disabled():
        billing.client.org_number = ""
        billing.client.save()
        [draft] = services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1),
            period_end=month_end(),
        )
    client.force_login(billing.admin)
    response = client.post(url("invoice_issue", draft.pk), follow=True)
    assert "saknar organisationsnummer" in response.content.decode()
    draft.refresh_from_db()
    assert draft.number is None


def test_run_with_bad_period_keeps_the_form(client, billing):
    client.force_login(billing.admin)
    response = client.post(
        url("invoice_run"), {"period_start": str(month_end()), "period_end": str(day(1))}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Perioden slutar innan den börjar." in page and f'value="{month_end()}"' in page
    with scopes_disabled():
        assert not Invoice.objects.exists()


def _issued(w):
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=w.admin,
            practice=w.practice,
            period_start=day(1),
            period_end=month_end(),
        )
        return services.invoice_issue(actor=w.admin, invoice=draft)


def test_client_contact_sees_their_invoices_and_no_drafts(client, billing):
    invoice = _issued(billing)
    held_meeting(billing.engagement, day(7, 1))
    with scopes_disabled():
        services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1, 1),
            period_end=month_end(1),
        )
    client.force_login(billing.contact_user)
    page = client.get(url("client_home")).content.decode()
    assert url("invoice_pdf", invoice.pk) in page
    assert page.count("/pdf/") == 1  # the draft is not shown

    other_contact = f.member(billing.practice, Role.CLIENT_CONTACT)
    f.ClientContactFactory(
        practice=billing.practice,
        client=f.ClientFactory(practice=billing.practice),
        user=other_contact,
    )
    client.force_login(other_contact)
    assert client.get(url("invoice_pdf", invoice.pk)).status_code == 404


def test_supervisor_lists_only_invoices_of_their_engagements(client, billing):
    invoice = _issued(billing)
    client.force_login(billing.supervisor)
    assert invoice.display_number in client.get(url("invoice_list")).content.decode()
    client.force_login(billing.other_supervisor)
    assert invoice.display_number not in client.get(url("invoice_list")).content.decode()


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rows", [1, 3])
def test_invoice_list_query_count(client, world, rows):
    settings_for(world.practice)
    for i in range(rows):
        engagement = f.EngagementFactory(practice=world.practice, supervisor=world.supervisor)
        held_meeting(engagement, day(2 + i))
    with scopes_disabled():
        for draft in services.invoice_run(
            actor=world.admin,
            practice=world.practice,
            period_start=day(1),
            period_end=month_end(),
        ):
            services.invoice_issue(actor=world.admin, invoice=draft)
    client.force_login(world.admin)
    # BASE + the page's count + its invoices with client and credited invoice
    assert _count(client, url("invoice_list")) == BASE + 2
    client.force_login(world.supervisor)
    assert _count(client, url("invoice_list")) == BASE + 2


def test_invoice_list_is_paged_and_keeps_the_filter(client, world):
    settings_for(world.practice)
    with scopes_disabled():
        for i in range(55):  # each with a client of its own
            engagement = f.EngagementFactory(practice=world.practice, supervisor=world.supervisor)
            held_meeting(engagement, day(1 + i % 28))
        drafts = services.invoice_run(
            actor=world.admin,
            practice=world.practice,
            period_start=day(1),
            period_end=month_end(),
        )
    assert len(drafts) == 56  # and the world's client
    client.force_login(world.admin)
    first = client.get(url("invoice_list") + "?status=draft").content.decode()
    assert first.count('rel="next"') == 1 and "Sida 1 av 2" in first
    assert "?status=draft&amp;page=2" in first
    second = client.get(url("invoice_list") + "?status=draft&page=2").content.decode()
    assert "Sida 2 av 2" in second and "?status=draft&amp;page=1" in second
    shown = {
        pk
        for page in (first, second)
        for pk in (d.pk for d in drafts)
        if f"/billing/invoices/{pk}/" in page
    }
    assert len(shown) == 56  # every draft on one of the two pages


@pytest.mark.parametrize("rows", [1, 3])
def test_billing_overview_query_count(client, world, rows):
    settings_for(world.practice)
    for i in range(rows):
        engagement = f.EngagementFactory(practice=world.practice, supervisor=world.supervisor)
        held_meeting(engagement, day(2 + i))
    client.force_login(world.admin)
    # BASE + settings + per-month sums + per-client sums + uninvoiced meetings with their
    # engagements, clients, prices and attendance counts + group memberships (for prices per
    # participant) + engagements at a fixed monthly fee (none here, so no query for their lines)
    # + course registrations held and not invoiced, per course
    assert _count(client, url("billing_overview")) == BASE + 7


def test_engagement_page_links_admins_to_the_price(client, world):
    page_url = reverse("engagement_detail", args=[P, world.engagement.pk])
    price_url = url("engagement_price", world.engagement.pk)
    client.force_login(world.admin)
    assert price_url in client.get(page_url).content.decode()
    client.force_login(world.supervisor)
    assert price_url not in client.get(page_url).content.decode()
