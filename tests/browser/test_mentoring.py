"""Issue 8, mentoring, walked in the browser: a coordinator opens a programme, a mentee signs
up on a phone through the open link and the demo's 40 mentors and 59 more mentees sign up; the
coordinator matches, reads why a pair was made, locks two pairs, forbids one, re-runs and
publishes; a pair signs its agreement from their own pages. axe checks every page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.mentoring.demo import demo_signups
from bollplank.mentoring.models import Pair, Programme, SignUp
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _row(page: Page, mentee: str) -> Any:
    return page.locator("table.mentoring-pairs tbody tr", has=page.locator("th", has_text=mentee))


def test_coordinator_matches_locks_forbids_reruns_publishes_and_a_pair_signs(
    new_page: Any, live_server: Any
) -> None:
    practice = f.PracticeFactory(name="Ekbacken handledning", slug="ekbacken")
    admin = f.member(practice, Role.ADMIN, email="admin@ekbacken.se", name="Karin Admin")
    today = clock.today()

    # The coordinator opens a programme.
    coordinator: Page = new_page()
    login(coordinator, admin.email)
    visit(coordinator, "/p/ekbacken/mentoring/")
    coordinator.get_by_role("link", name="Nytt program").click()
    axe_check(coordinator)
    coordinator.fill("#id_name", "Mentorprogram Region Nord")
    coordinator.fill("#id_starts_on", (today + dt.timedelta(days=30)).isoformat())
    coordinator.fill("#id_ends_on", (today + dt.timedelta(days=395)).isoformat())
    coordinator.fill("#id_signup_closes_on", (today + dt.timedelta(days=14)).isoformat())
    coordinator.fill("#id_rule_min_years_more", "3")
    coordinator.get_by_role("button", name="Spara").click()
    axe_check(coordinator)
    expect(coordinator.locator("h1")).to_have_text("Mentorprogram Region Nord")
    signup_url = coordinator.locator("#signup-link").get_attribute("href") or ""

    # A mentee signs up on a phone through the open link.
    nils: Page = new_page(MOBILE)
    visit(nils, re.sub(r"^https?://[^/]+", "", signup_url))
    nils.get_by_role("radio", name="adept").check()
    nils.fill("#id_name", "Nils <b>Ny</b>")
    nils.fill("#id_email", "nils.ny@region-nord.se")
    nils.fill("#id_unit", "Skolförvaltningen")
    nils.fill("#id_years", "1")
    nils.fill("#id_topics", "ledarskap, budget")
    nils.fill("#id_languages", "svenska")
    nils.get_by_label("Måndag förmiddag").check()
    nils.get_by_role("button", name="Anmäl dig").click()
    axe_check(nils)
    expect(nils.locator("h1")).to_have_text("Du är anmäld")

    # The demo's mentors and the other mentees sign up too.
    with scopes_disabled():
        programme = Programme.objects.get(practice=practice)
    with scope(practice=practice):
        tokens = demo_signups(programme=programme, today=today, mentors=40, mentees=59)
        assert SignUp.objects.filter(programme=programme).count() == 100

    # The coordinator matches and reads why a pair was made.
    visit(coordinator, f"/p/ekbacken/mentoring/{programme.pk}/")
    expect(coordinator.locator("dl.facts")).to_contain_text("40 mentorer")
    coordinator.get_by_role("button", name="Kör matchningen").click()
    axe_check(coordinator)
    expect(coordinator.locator(".messages")).to_contain_text("adepter fick en mentor")
    rows = coordinator.locator("table.mentoring-pairs tbody tr")
    assert rows.count() > 40
    first = rows.nth(0)
    first.locator("summary").click()
    expect(first.locator(".score-parts")).to_contain_text("Kompetens möter behov")
    expect(first).to_contain_text("Erfarenhet: mentor")
    axe_check(coordinator)
    expect(coordinator.locator("body")).to_contain_text("Nils <b>Ny</b>")

    # Lock two pairs, forbid one.
    demo_rows = [i for i in range(rows.count()) if "Nils" not in rows.nth(i).inner_text()][:3]
    names = [rows.nth(i).locator("th").inner_text() for i in demo_rows]
    mentors = [rows.nth(i).locator("td").nth(0).inner_text() for i in demo_rows]
    for mentee in names[:2]:
        _row(coordinator, mentee).get_by_role("button", name=re.compile("^Lås")).click()
        axe_check(coordinator)
        expect(coordinator.locator(".messages")).to_contain_text("är låsta som par")
    _row(coordinator, names[2]).get_by_role("button", name=re.compile("^Förbjud")).click()
    axe_check(coordinator)
    expect(coordinator.locator("#forbidden")).to_contain_text(f"{names[2]} – {mentors[2]}")

    # Re-run: the locks hold, the forbidden pair is gone.
    coordinator.get_by_role("button", name="Kör matchningen igen").click()
    axe_check(coordinator)
    for mentee, mentor in zip(names[:2], mentors[:2], strict=True):
        expect(_row(coordinator, mentee).locator("td").nth(0)).to_have_text(f"{mentor} låst")
    third = _row(coordinator, names[2])
    if third.count():
        expect(third.locator("td").nth(0)).not_to_have_text(mentors[2])

    # Publish.
    coordinator.get_by_role("button", name="Publicera paren").click()
    axe_check(coordinator)
    expect(coordinator.locator(".messages")).to_contain_text("par är publicerade")
    expect(coordinator.locator("#progress")).to_be_visible()

    # The first locked pair signs its agreement, each from their own page.
    with scopes_disabled():
        pair = Pair.objects.select_related("mentee", "mentor").get(
            programme=programme, mentee__name=names[0]
        )
    mentee_page: Page = new_page(MOBILE)
    visit(mentee_page, f"/mentoring/me/{tokens[pair.mentee.email]}/")
    expect(mentee_page.locator("h2").first).to_have_text(f"Ditt par: {pair.mentor.name}")
    mentee_page.get_by_label("mål för vårt mentorskap").fill("Trygghet i chefsrollen")
    mentee_page.get_by_role("button", name="Skriv under överenskommelsen").click()
    axe_check(mentee_page)
    expect(mentee_page.locator(f"#signatures-{pair.pk}")).to_have_text(
        "Du har skrivit under; väntar på den andra."
    )
    mentor_page: Page = new_page()
    visit(mentor_page, f"/mentoring/me/{tokens[pair.mentor.email]}/")
    # A mentor may have two mentees: each pair has its own section.
    section = mentor_page.locator(f"section[aria-labelledby='pair-{pair.pk}']")
    expect(section.get_by_label("mål för vårt mentorskap")).to_have_value("Trygghet i chefsrollen")
    section.get_by_role("button", name="Skriv under överenskommelsen").click()
    axe_check(mentor_page)
    expect(mentor_page.locator(f"#signatures-{pair.pk}")).to_have_text("Undertecknat av båda.")

    # The coordinator sees the count, not the goals.
    visit(coordinator, f"/p/ekbacken/mentoring/{programme.pk}/")
    expect(coordinator.locator("#progress")).to_contain_text(
        "Överenskommelser underskrivna av båda"
    )
    assert "Trygghet i chefsrollen" not in coordinator.content()
