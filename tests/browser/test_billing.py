"""Issue 6, "Done when", walked in the browser in Swedish: the demo firm's practice admin fills
in the billing settings, invoices last month's meetings in one run, issues every draft, checks
the OCR numbers, credits one invoice; the client contact finds the invoice on their page.
axe checks every page on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.billing.models import Invoice, InvoiceLine
from bollplank.billing.ocr import ocr_is_valid
from bollplank.core import clock
from bollplank.demo.firm import DEMO_PASSWORD, DEMO_SLUG, demo_load
from tests.browser.conftest import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "karin@ekbacken.example"
CONTACT = "maria.sandberg@bjorkskolan.example"  # Björkskolan's contact, with a demo login


def _last_month() -> tuple[dt.date, dt.date]:
    last = clock.today().replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def test_a_month_of_the_demo_firm_is_invoiced_in_one_run(new_page: Any, live_server: Any):
    demo_load()
    page: Page = new_page()
    login(page, ADMIN, DEMO_PASSWORD)

    page.get_by_role("link", name="Fakturering", exact=True).click()
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Fakturering")
    # The demo firm has its settings filled in (and the month before last invoiced).
    page.get_by_role("link", name="Faktureringsinställningar", exact=True).click()
    axe_check(page)

    # A typo first: the page says what is wrong and keeps everything typed.
    page.fill("#id_legal_name", "Ekbacken Handledning AB")
    page.fill("#id_org_number", "556677-8890")
    page.fill("#id_vat_number", "SE556677889901")
    page.fill("#id_street", "Ekbackevägen 7")
    page.fill("#id_postal_code", "745 32")
    page.fill("#id_city", "Ekby")
    page.fill("#id_email", "faktura@ekbacken.example")
    page.fill("#id_bankgiro", "5050-1055")
    page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator("#id_org_number_error")).to_contain_text("inte ett giltigt")
    expect(page.locator("#id_street")).to_have_value("Ekbackevägen 7")
    page.fill("#id_org_number", "556677-8899")
    page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("Faktureringsinställningarna är sparade.")

    start, end = _last_month()
    page.get_by_role("link", name="Fakturering", exact=True).first.click()
    axe_check(page)
    page.get_by_role("link", name="Starta en fakturering").click()
    axe_check(page)
    page.fill("#id_period_start", start.isoformat())
    page.fill("#id_period_end", end.isoformat())
    page.get_by_role("button", name="Skapa fakturautkasten").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("fakturautkast är klara att granska")

    with scopes_disabled():
        already = Invoice.objects.exclude(status="draft").count()  # the demo's earlier month
        drafts = list(Invoice.objects.filter(status="draft").order_by("pk"))
        held = InvoiceLine.objects.filter(invoice__in=drafts, meeting__isnull=False).count()
    assert len(drafts) >= 3 and held >= len(drafts)

    # Issue every draft from its page.
    for draft in drafts:
        page.locator(f"a[href$='/billing/invoices/{draft.pk}/']").first.click()
        axe_check(page)
        expect(page.locator("h1")).to_have_text("Fakturautkast")
        page.get_by_role("button", name="Utfärda fakturan").click()
        axe_check(page)
        expect(page.locator(".messages")).to_contain_text("är utfärdad")
        visit(page, f"/p/{DEMO_SLUG}/billing/invoices/?status=draft")

    with scopes_disabled():
        issued = list(Invoice.objects.exclude(status="draft").order_by("number"))
    numbers = [i.number for i in issued]
    assert already > 0
    assert numbers == list(range(1001, 1001 + already + len(drafts)))  # no gap, no duplicate
    assert all(ocr_is_valid(i.ocr) for i in issued)

    # The PDF answers; the e-invoice downloads.
    first = issued[0]
    visit(page, f"/p/{DEMO_SLUG}/billing/invoices/{first.pk}/")
    pdf = page.request.get(f"{live_server.url}/p/{DEMO_SLUG}/billing/invoices/{first.pk}/pdf/")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"

    # A credit note fixes one invoice: credit its first line.
    page.get_by_role("link", name="Kreditera").click()
    axe_check(page)
    boxes = page.locator("input[name=lines]")
    for i in range(1, boxes.count()):
        boxes.nth(i).uncheck()
    page.get_by_role("button", name="Utfärda kreditfakturan").click()
    axe_check(page)
    expect(page.locator("h1")).to_contain_text("Kreditfaktura")

    page.get_by_role("link", name="Fakturering", exact=True).first.click()
    axe_check(page)
    expect(page.locator("section[aria-labelledby=month-h] tbody tr").first).to_be_visible()

    # The client contact sees their invoice.
    with scopes_disabled():
        bjork = [i for i in issued if i.client.name.startswith("Björkskolan")]
    contact: Page = new_page()
    login(contact, CONTACT, DEMO_PASSWORD)
    section = contact.locator("section[aria-labelledby=invoices-h]")
    for invoice in bjork:
        expect(section).to_contain_text(invoice.display_number)
