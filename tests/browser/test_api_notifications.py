"""Issue 9 in the browser: a supervisor creates an API token (on a phone too), sees it once,
revokes it; a participant turns reminders off; the practice admin reads the outbox with a
failed mail and a meeting invitation. axe checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from bollplank.api.models import ApiToken
from bollplank.notifications.models import OptOut, OutgoingMail
from tests.browser.conftest import MOBILE, axe_check, login, visit
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [None, MOBILE], ids=["desktop", "mobile"])
def test_token_created_shown_once_and_revoked(new_page: Any, world: World, viewport: Any) -> None:
    page = new_page(viewport=viewport) if viewport else new_page()
    login(page, "siv@ekbacken.se")
    visit(page, "/p/ekbacken/api-tokens/")
    page.click("text=Skapa token")  # no name: told so, the choice kept
    axe_check(page)
    expect(page.locator("#id_name_error")).to_be_visible()
    page.fill("#id_name", "Lönesystemet <b>")
    page.check("input[name=scope][value=write]")
    page.click("text=Skapa token")
    axe_check(page)
    secret = page.input_value("#token-secret")
    assert secret.startswith("bp_")
    expect(page.locator("tbody")).to_contain_text("Lönesystemet <b>")
    expect(page.locator("tbody")).to_contain_text("läsa och skriva")
    visit(page, "/p/ekbacken/api-tokens/")
    assert secret not in page.content()
    page.click("text=Återkalla Lönesystemet <b>")
    axe_check(page)
    expect(page.locator("tbody")).to_contain_text("återkallad")
    with scopes_disabled():
        assert ApiToken.objects.get().revoked_at is not None


def test_participant_turns_reminders_off(new_page: Any, world: World) -> None:
    page = new_page()
    login(page, "pia@solbacka.se")
    visit(page, "/p/ekbacken/email-preferences/")
    page.uncheck("input[name=wanted][value=reminder]")
    page.click("text=Spara")
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("sparade")
    with scopes_disabled():
        assert list(OptOut.objects.values_list("kind", flat=True)) == ["reminder"]


def test_admin_reads_outbox_with_failure(new_page: Any, world: World) -> None:
    with scopes_disabled():
        OutgoingMail.objects.create(
            practice=world.practice,
            kind="meeting",
            to="pia@solbacka.se",
            subject="Ny träff: Lärarlaget åk 4–6",
            text="Hej Pia!",
            ics="BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
            ics_method="REQUEST",
            status="sent",
        )
        OutgoingMail.objects.create(
            practice=world.practice,
            kind="invoice",
            to="ekonomi@solbacka.se",
            subject="Faktura A1001",
            text="Bifogad faktura",
            status="failed",
            attempts=6,
            last_error="ConnectionRefusedError: smtp down",
        )
    page = new_page()
    login(page, "admin@ekbacken.se")
    visit(page, "/p/ekbacken/outbox/")
    expect(page.locator("[role=alert]")).to_contain_text("1 e-postmeddelande kunde inte skickas")
    expect(page.locator("tbody")).to_contain_text("smtp down")
    page.click("text=Ny träff: Lärarlaget åk 4–6")
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Ny träff: Lärarlaget åk 4–6")
