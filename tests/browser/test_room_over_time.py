"""Issue 4, "Must include" 4 and 5, walked in the browser in Swedish.

Siv splits Solbacka's mission into parts, revises one (the earlier version stays), ties a
meeting's themes to a part, sees on the engagement how often the reflection touched each part
and how the meetings moved between process and case, and shares the counts. Rut, the client's
contact, then sees the counts under "Vårt uppdrag", and nothing of what was said. axe checks
every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.facilitation.models import MeetingTheme, MissionPart
from tests import factories as f
from tests.browser.conftest import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "ekbacken"
MISSION = (
    "Trygghet\nAlla elever ska känna sig trygga i skolan.\n\n"
    "Lärande\nUndervisningen ska ge varje elev möjlighet att utvecklas."
)


def click(page: Page, locator: str) -> None:
    with page.expect_navigation():
        page.locator(locator).first.click()
    axe_check(page)


def test_themes_are_held_against_the_mission_over_time(
    world: Any, new_page: Callable[..., Page]
) -> None:
    with scopes_disabled():
        # One process meeting and one case meeting, a month apart.
        world.meeting.focus = "process"
        world.meeting.save()
        case_meeting = f.MeetingFactory(
            engagement=world.engagement,
            starts_at=world.meeting.starts_at + dt.timedelta(days=31),
            ends_at=world.meeting.ends_at + dt.timedelta(days=31),
            focus="case",
        )
    siv = new_page()
    login(siv, "siv@ekbacken.se")

    # The mission in parts, from the client's page.
    visit(siv, f"/p/{SLUG}/clients/{world.client.pk}/")
    click(siv, "a:has-text('Verksamhetsuppdraget i delar')")
    siv.fill("#split_text", MISSION)
    click(siv, "button:has-text('Gör delar')")
    expect(siv.locator("ol.steps h3")).to_have_text(
        ["Trygghet version 1", "Lärande version 1"], use_inner_text=True
    )

    # Revise "Lärande": a new version; the earlier one stays.
    click(siv, "a:has-text('Revidera eller ta bort'):has-text('Lärande')")
    siv.fill("#id_title", "Lärande och bedömning")
    click(siv, "button:has-text('Spara en ny version')")
    expect(siv.locator("ol.steps h3").nth(1)).to_contain_text("Lärande och bedömning")
    expect(siv.locator("ol.steps h3").nth(1)).to_contain_text("version 2")
    siv.locator("summary:has-text('Tidigare versioner')").click()
    expect(siv.locator("ol.steps details").first).to_contain_text("Version 1")
    axe_check(siv)

    # Tie each meeting's themes to the parts, from the meeting's page.
    for meeting, parts in ((world.meeting, ["Trygghet"]), (case_meeting, ["Trygghet"])):
        visit(siv, f"/p/{SLUG}/meetings/{meeting.pk}/")
        click(siv, "a:has-text('Teman och verksamhetsuppdraget')")
        for title in parts:
            siv.get_by_label(title, exact=True).check()
        click(siv, "button:has-text('Spara teman')")
    with scopes_disabled():
        assert set(MeetingTheme.objects.values_list("part__title", flat=True)) == {"Trygghet"}
        assert MeetingTheme.objects.count() == 2
        assert MissionPart.objects.filter(title="Lärande").get().closed_at is not None

    # The engagement: process and case over time, and the counts held against the mission.
    visit(siv, f"/p/{SLUG}/engagements/{world.engagement.pk}/")
    focus = siv.locator("section[aria-labelledby=focus-time-h]")
    expect(focus).to_contain_text("Process och ärende över tid")
    # March: the process meeting; April: the case meeting (P and Ä in the month's strip).
    expect(focus.locator("ol.focus-strip li.process")).to_have_count(1)
    expect(focus.locator("ol.focus-strip li.case")).to_have_count(1)
    click(siv, "a:has-text('I relation till verksamhetsuppdraget')")
    row = siv.locator("tbody tr", has_text="Trygghet")
    expect(row.locator("td strong")).to_have_text("2")
    expect(
        siv.locator("tbody tr", has_text="Lärande och bedömning").locator("td strong")
    ).to_have_text("0")
    click(siv, "button:has-text('Dela siffrorna med uppdragsgivaren')")
    expect(siv.locator("main")).to_contain_text("Delad med uppdragsgivaren.")

    # Rut, the client's contact, sees the counts only.
    rut = new_page()
    login(rut, "rut@solbacka.se")
    click(rut, "nav a:has-text('Vårt uppdrag')")
    expect(rut.locator("tbody tr", has_text="Trygghet").locator("td strong")).to_have_text("2")
    expect(rut.locator("main")).not_to_contain_text("Alla elever ska känna sig trygga")
    expect(rut.locator("main")).not_to_contain_text("Siv")
