"""Payment reminders walked in the browser in Swedish: the demo firm's practice admin turns
reminders on with a fee and interest (a fee over the legal 60 kr is refused first), opens an
overdue invoice, sees what the reminder will say, sends it, and finds it on the invoice's page
and in the invoice list. axe checks every page on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.billing.models import Invoice, Reminder
from bollplank.demo.firm import DEMO_PASSWORD, DEMO_SLUG, demo_load
from tests.browser.conftest import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "karin@ekbacken.example"


def test_the_admin_turns_reminders_on_and_sends_one(new_page: Any, traveller: Any):
    demo_load()
    with scopes_disabled():
        invoice = Invoice.objects.filter(kind="invoice", status="open").order_by("number").first()
    assert invoice is not None and invoice.due_date is not None
    # A week past the invoice's due date, whatever day the suite runs on.
    traveller.move_to(
        dt.datetime.combine(invoice.due_date + dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
    )
    page: Page = new_page()
    login(page, ADMIN, DEMO_PASSWORD)

    visit(page, f"/p/{DEMO_SLUG}/billing/settings/")
    page.check("#id_reminders_enabled")
    page.fill("#id_reminder_fee_ore", "75")
    page.fill("#id_late_interest_percent", "10,25")
    page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator("#id_reminder_fee_ore_error")).to_contain_text("60")
    expect(page.locator("#id_late_interest_percent")).to_have_value("10,25")
    page.fill("#id_reminder_fee_ore", "60")
    page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("Faktureringsinställningarna är sparade.")

    visit(page, f"/p/{DEMO_SLUG}/billing/invoices/{invoice.pk}/")
    page.get_by_role("link", name="Skicka en påminnelse").click()
    axe_check(page)
    preview = page.locator("#reminder-preview")
    expect(preview).to_contain_text("60,00\xa0kr")
    expect(preview).to_contain_text("10,25 %, 7 dagar")
    page.fill("#id_to", "ekonomi@bjorkskolan.example")
    page.get_by_role("button", name="Skicka påminnelsen").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text(
        "Påminnelse 1 är skickad till ekonomi@bjorkskolan.example."
    )
    expect(page.locator("#reminders")).to_contain_text("Påminnelse 1 (PDF)")
    with scopes_disabled():
        reminder = Reminder.objects.get(invoice=invoice)
    assert (reminder.fee_ore, reminder.interest_days, reminder.sent_to) == (
        6000,
        7,
        "ekonomi@bjorkskolan.example",
    )
    assert [m.to for m in mail.outbox if "Betalningspåminnelse" in m.subject] == [
        ["ekonomi@bjorkskolan.example"]
    ]

    visit(page, f"/p/{DEMO_SLUG}/billing/invoices/")
    row = page.locator("tr", has_text=invoice.display_number).first
    expect(row).to_contain_text("Påmind (1)")
