"""Issue 7, parts 1–4, walked in the browser: a visitor who is not logged in reads about the
demo firm, compares two supervisors and sends an inquiry; the practice admin finds it in the
inbox, sees the supervisors ranked with reasons, and turns it into an engagement. axe checks
every page on the way, in Swedish, in English and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.demo.firm import DEMO_PASSWORD, demo_load
from bollplank.directory.models import Inquiry
from bollplank.engagements.models import Engagement
from tests.browser.conftest import MOBILE, axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "karin@ekbacken.example"


def test_visitor_reads_compares_and_asks_and_the_practice_makes_an_engagement(
    new_page: Any, live_server: Any
):
    demo_load()
    page: Page = new_page()

    # The visitor reads about the firm.
    visit(page, "/om/ekbacken/")
    expect(page).to_have_title("Ekbacken handledning · handledning i Enköping – Bollplank")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    description = page.locator("meta[name=description]").get_attribute("content") or ""
    assert description.startswith("Ekbacken handledning är en handledarbyrå i Mälardalen.")
    expect(page.get_by_role("heading", name="Vilket slags stöd passar?")).to_be_visible()
    expect(page.get_by_role("heading", name="Rådgivning")).to_be_visible()
    expect(page.get_by_role("heading", name="Process eller ärende?")).to_be_visible()
    for name in ("Amira Haddad", "Johan Lindqvist", "Karin Ekholm"):
        expect(page.get_by_role("link", name=name)).to_be_visible()

    # ... opens one profile, and compares two supervisors side by side.
    page.get_by_role("link", name="Johan Lindqvist").click()
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Johan Lindqvist")
    expect(page.locator(".facts")).to_contain_text("Socialtjänst")
    page.get_by_role("link", name="Jämför Johan Lindqvist med Karin Ekholm").click()
    axe_check(page)
    table = page.locator("table.compare")
    expect(table.locator("thead")).to_contain_text("Johan Lindqvist")
    expect(table.locator("thead")).to_contain_text("Karin Ekholm")
    expect(table).to_contain_text("Ersta Sköndal")
    expect(table).to_contain_text("Upp till 120 km")

    # ... and sends an inquiry. A forgotten group size first: a message, nothing lost.
    page.get_by_role("link", name="Skicka en förfrågan").first.click()
    axe_check(page)
    page.fill("#id_organization", "Björkängens förskola")
    page.select_option("#id_sector", "preschool")
    page.get_by_label("Grupp", exact=True).check()
    page.get_by_label("Processhandledning").check()
    page.get_by_label("På vår arbetsplats").check()
    page.fill("#id_city", "Enköping")
    page.select_option("#id_rhythm", "biweekly")
    page.fill("#id_message", "Vi är sex pedagoger som vill reflektera tillsammans.")
    page.fill("#id_name", "Eva Ek")
    page.fill("#id_email", "eva.ek@bjorkangen.example")
    page.get_by_label("Jag godkänner", exact=False).check()
    page.wait_for_timeout(3200)  # a person takes longer than the bot threshold
    page.get_by_role("button", name="Skicka förfrågan").click()
    axe_check(page)
    expect(page.locator("#id_group_size_error")).to_contain_text("Hur många är ni i gruppen?")
    expect(page.locator("#id_organization")).to_have_value("Björkängens förskola")
    page.fill("#id_group_size", "6")
    page.wait_for_timeout(3200)
    page.get_by_role("button", name="Skicka förfrågan").click()
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Tack för din förfrågan")

    # The practice admin finds it in the inbox, sees the ranking and makes an engagement.
    admin = new_page()
    login(admin, ADMIN, DEMO_PASSWORD)
    admin.get_by_role("link", name="Uppdragsgivare", exact=True).click()
    axe_check(admin)
    admin.get_by_role("link", name="Förfrågningar", exact=True).click()
    axe_check(admin)
    admin.get_by_role("link", name="Björkängens förskola").click()
    axe_check(admin)
    expect(admin.get_by_role("heading", name="Rekommenderade handledare")).to_be_visible()
    first = admin.locator("ol.ranking > li").first
    expect(first).to_contain_text("Karin Ekholm")
    expect(first).to_contain_text("Har arbetat inom förskola.")
    admin.get_by_role("button", name="Gör om till uppdragsgivare och uppdrag").click()
    axe_check(admin)
    expect(admin.locator(".messages")).to_contain_text("Uppdragsgivaren och uppdraget är skapade")
    expect(admin.locator("h1")).to_contain_text("Björkängens förskola")
    with scopes_disabled():
        inquiry = Inquiry.objects.get(organization="Björkängens förskola")
        engagement = Engagement.objects.get(pk=inquiry.engagement_id)
        assert (inquiry.status, engagement.client.name, engagement.supervisor.email) == (
            "won",
            "Björkängens förskola",
            ADMIN,
        )


def test_public_pages_in_english_and_on_a_phone(new_page: Any, live_server: Any):
    demo_load()
    page: Page = new_page(MOBILE)
    visit(page, "/om/ekbacken/")
    page.get_by_role("button", name="English").click()
    axe_check(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Which kind of support fits?")).to_be_visible()
    visit(page, "/om/ekbacken/jamfor/")
    expect(page.locator("table.compare")).to_be_visible()
    visit(page, "/om/ekbacken/forfragan/")
    expect(page.get_by_role("button", name="Send the inquiry")).to_be_visible()


def test_supervisor_writes_a_profile_with_a_photo_and_the_admin_publishes_in_english(
    new_page: Any, live_server: Any, tmp_path: Any
):
    from tests.directory.helpers import png
    from tests.factories import PASSWORD, MembershipFactory, PracticeFactory, member

    practice = PracticeFactory(name="Lindens handledning", slug="linden")
    lisa = member(practice, "admin", name="Lisa Lind", email="lisa@linden.example")
    MembershipFactory(practice=practice, user=lisa, role="supervisor")
    photo = tmp_path / "lisa.png"
    photo.write_bytes(png((120, 120)))

    page: Page = new_page()
    login(page, "lisa@linden.example", PASSWORD)
    page.get_by_role("button", name="English").click()
    axe_check(page)
    page.get_by_role("link", name="Settings").click()
    axe_check(page)
    page.get_by_role("link", name="The practice's public page and inquiries").click()
    axe_check(page)
    page.get_by_label("publish the practice's page", exact=False).check()
    page.fill("#id_intro", "Supervision for schools in Linköping.")
    page.fill("#id_city", "Linköping")
    page.get_by_role("button", name="Save").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("The public page settings are saved.")

    page.locator("details.account-menu > summary").click()
    page.get_by_role("link", name="My profile").click()
    axe_check(page)
    page.get_by_label("Show my profile on the practice's page").check()
    page.fill("#id_profession", "Psychologist")
    page.get_by_label("School", exact=True).check()
    page.get_by_label("Group", exact=True).check()
    page.get_by_label("English", exact=True).check()
    page.set_input_files("#id_photo", str(photo))
    page.get_by_role("button", name="Save").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")

    visit(page, "/om/linden/")
    expect(page).to_have_title("Lindens handledning · supervision in Linköping – Bollplank")
    card = page.locator(".profile-card")
    expect(card).to_contain_text("Psychologist")
    expect(card).to_contain_text("School")
    expect(card.locator("img.portrait")).to_have_js_property("naturalWidth", 120)
