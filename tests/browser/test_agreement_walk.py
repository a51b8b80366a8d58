"""The supervision agreement in the browser, in Swedish: the supervisor creates it from the
engagement page, the client contact reads it in the portal, is asked to tick the box, accepts
it, and gets the PDF with the verification line; the supervisor then sees who accepted it.
axe checks every page on the way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.agreements.models import Acceptance
from bollplank.core.models import AuditEvent
from tests.browser.conftest import axe_check, login, visit
from tests.pdftext import pdf_text

pytestmark = pytest.mark.browser


def test_supervisor_creates_and_client_contact_accepts(
    world: Any, new_page: Callable[..., Page]
) -> None:
    staff = new_page()
    login(staff, world.supervisor.email)
    visit(staff, f"/p/ekbacken/engagements/{world.engagement.pk}/")
    with staff.expect_navigation():
        staff.locator("#agreement-h + form").get_by_role("button", name="Skapa avtal").click()
    axe_check(staff)
    expect(staff.locator(".messages")).to_contain_text("Version 1 av avtalet är skapad")
    expect(staff.locator("main table")).to_contain_text("Väntar på godkännande")

    contact = new_page()
    login(contact, world.contact_user.email)
    visit(contact, "/p/ekbacken/client/")
    contact.locator("main").get_by_role("link", name="Våra avtal").click()
    axe_check(contact)
    contact.get_by_role("link", name="Version 1").click()
    axe_check(contact)
    expect(contact.locator("h1")).to_contain_text("Handledningsavtal: Lärarlaget åk 4–6, version 1")
    expect(contact.locator(".agreement-terms")).to_contain_text("minst 5 svar")
    expect(contact.locator(".agreement-terms")).to_contain_text("Det skyddade rummet")
    with contact.expect_navigation():
        contact.get_by_role("button", name="Godkänn avtalet").click()
    axe_check(contact)
    expect(contact.locator(".messages")).to_contain_text("Kryssa i rutan")
    contact.get_by_label("Jag har läst avtalet och godkänner det").check()
    with contact.expect_navigation():
        contact.get_by_role("button", name="Godkänn avtalet").click()
    axe_check(contact)
    expect(contact.locator(".messages")).to_contain_text("Tack: version 1 av avtalet är godkänd.")
    expect(contact.locator("dl.facts")).to_contain_text("av Rektor Rut")
    expect(contact.get_by_role("button", name="Godkänn avtalet")).to_have_count(0)
    pdf_url = contact.get_by_role("link", name="Avtalet som PDF").get_attribute("href")
    text = pdf_text(contact.request.get(pdf_url or "").body())
    assert "Version 1 godkänd av Rektor Rut" in text

    with scopes_disabled():
        acceptance = Acceptance.objects.get()
        event = AuditEvent.objects.get(action="agreements.agreement.accepted")
    assert acceptance.ip_address == "127.0.0.1"
    assert "Chrome" in acceptance.user_agent
    assert event.data["sha256"] == acceptance.sha256 == acceptance.agreement.sha256

    staff.reload()
    axe_check(staff)
    expect(staff.locator("main table")).to_contain_text("Rektor Rut")
    expect(staff.locator("main table .status-accepted")).to_have_text("Godkänt")
