"""Issue 8's gaps, walked in the browser: a client contact opens a mentoring programme for their
own organisation from their start page, imports the sign-ups from a CSV file (a duplicate
e-mail is reported by row and nothing is imported; the fixed file goes in whole), matches and
publishes. axe checks every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.mentoring.models import Pair, Programme, SignUp
from tests import factories as f
from tests.browser.conftest import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "som;namn;e-post;enhet;års erfarenhet;områden;språk;ort;tider;antal adepter"


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def _people(duplicate: bool) -> list[str]:
    rows = []
    for i in range(6):
        rows.append(f"mentor;Mentor {i};mentor{i}@ekby.se;Enhet {i};15;ledarskap;svenska;Ekby;;1")
    for i in range(6):
        rows.append(f"adept;Adept {i};adept{i}@ekby.se;Enhet {i + 1};1;ledarskap;svenska;Ekby;;")
    if duplicate:
        rows.append("adept;Adept igen;ADEPT2@ekby.se;Enhet 9;1;budget;svenska;Ekby;;")
    return rows


def test_client_contact_opens_imports_matches_and_publishes(
    new_page: Any, live_server: Any
) -> None:
    practice = f.PracticeFactory(name="Ekbacken handledning", slug="ekbacken")
    with scopes_disabled():
        soc = f.ClientFactory(practice=practice, name="Socialtjänsten Ekby")
        f.ClientFactory(practice=practice, name="Ekby vårdcentral")
    anders = f.member(practice, Role.CLIENT_CONTACT, name="Anders Holm", email="anders@ekby.se")
    with scopes_disabled():
        f.ClientContactFactory(practice=practice, client=soc, user=anders, name="Anders Holm")
    today = clock.today()

    page: Page = new_page()
    login(page, anders.email)
    visit(page, "/p/ekbacken/client/")
    page.get_by_role("link", name="Våra mentorprogram").click()
    axe_check(page)
    page.get_by_role("link", name="Nytt program").click()
    axe_check(page)
    # Only their own organisation can be chosen.
    assert page.locator("#id_client option").all_inner_texts() == ["---------", soc.name]
    page.fill("#id_name", "Mentorskap för nya socialsekreterare")
    page.select_option("#id_client", label=soc.name)
    page.fill("#id_starts_on", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=300)).isoformat())
    page.fill("#id_signup_closes_on", (today + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Mentorskap för nya socialsekreterare")

    # The sign-ups come from a CSV file; a duplicate e-mail stops the whole file.
    page.get_by_role("link", name="Anmälningar").click()
    axe_check(page)
    page.get_by_role("link", name="Importera anmälningar (CSV)").click()
    axe_check(page)
    page.set_input_files(
        "#id_file",
        {"name": "anmalan.csv", "mimeType": "text/csv", "buffer": _csv(_people(True))},
    )
    page.get_by_role("button", name="Kontrollera och importera").click()
    axe_check(page)
    expect(page.locator("#import-errors")).to_contain_text(
        "Filen har 1 fel; ingenting är importerat."
    )
    expect(page.locator("#import-errors")).to_contain_text(
        "Rad 14: adept2@ekby.se finns redan på rad 10."
    )
    with scopes_disabled():
        programme = Programme.objects.get(practice=practice)
        assert not SignUp.objects.filter(programme=programme).exists()
    page.set_input_files(
        "#id_file",
        {"name": "anmalan.csv", "mimeType": "text/csv", "buffer": _csv(_people(False))},
    )
    page.get_by_role("button", name="Kontrollera och importera").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("12 anmälningar är importerade.")
    expect(page.locator("table tbody tr")).to_have_count(12)
    axe_check(page)

    # Matching and publishing, as the practice's staff would.
    visit(page, f"/p/ekbacken/mentoring/{programme.pk}/")
    page.get_by_role("button", name="Kör matchningen").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("6 adepter fick en mentor")
    page.get_by_role("button", name="Publicera paren").click()
    axe_check(page)
    expect(page.locator("#progress")).to_be_visible()
    with scopes_disabled():
        assert Pair.objects.filter(programme=programme).count() == 6
