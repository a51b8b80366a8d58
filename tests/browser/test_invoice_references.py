"""A public buyer's references in the browser, in Swedish: the admin gives the client a GLN and
the requirement of an order number, the draft says what is missing and refuses to be issued,
the order number is added on the draft, and the invoice is issued with it. axe checks every
page on the way."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.billing import services
from bollplank.billing.models import Invoice
from bollplank.clients.models import Client
from tests.billing.conftest import day, month_end, settings_for
from tests.browser.conftest import axe_check, login, visit

pytestmark = pytest.mark.browser

GLN = "7350053850019"


def test_a_required_order_number_is_added_on_the_draft(world: Any, page: Page) -> None:
    settings_for(world.practice)
    login(page, world.admin.email)
    visit(page, f"/p/ekbacken/clients/{world.client.pk}/edit/")
    page.select_option("#id_peppol_scheme", "0088")
    page.fill("#id_peppol_id", GLN)
    page.check("#id_requires_order_number")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)
    expect(page.locator("main")).to_contain_text("0088:" + GLN)
    with scopes_disabled():
        assert Client.objects.get(pk=world.client.pk).requires_order_number
        [draft] = services.invoice_run(
            actor=world.admin, practice=world.practice, period_start=day(1), period_end=month_end()
        )

    visit(page, f"/p/ekbacken/billing/invoices/{draft.pk}/")
    missing = page.locator("#missing-references")
    expect(missing).to_contain_text("Solbacka skola kräver ordernummer på varje faktura")
    with page.expect_navigation():
        page.get_by_role("button", name="Utfärda fakturan").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("kräver ordernummer på varje faktura")
    expect(page.locator("h1")).to_have_text("Fakturautkast")

    page.get_by_role("link", name="Ändra referenserna").click()
    axe_check(page)
    page.fill("#id_order_number", "PO 2026-17")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator("#missing-references")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("button", name="Utfärda fakturan").click()
    axe_check(page)
    expect(page.locator("main")).to_contain_text("PO 2026-17")
    with scopes_disabled():
        issued = Invoice.objects.get(pk=draft.pk)
    assert (issued.status, issued.order_number, issued.buyer["peppol_id"]) == (
        "open",
        "PO 2026-17",
        GLN,
    )
