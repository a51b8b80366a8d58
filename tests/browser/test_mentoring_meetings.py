"""Issue 8 item 4 / issue 12 item 3, walked in the browser: a mentor sets when they can meet
from their own page, the mentee books a free time, moves it and cancels it; both get the
invitations. axe checks every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.core.timeutils import holidays_between
from bollplank.mentoring.models import PairMeeting
from bollplank.notifications.models import OutgoingMail
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, visit
from tests.mentoring import meeting_helpers as mh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _World:
    def __init__(self) -> None:
        self.practice = f.PracticeFactory(name="Ekbacken handledning", slug="ekbacken")
        self.admin = f.member(self.practice, Role.ADMIN, email="admin@ekbacken.se")


def test_mentor_sets_hours_and_mentee_books_moves_and_cancels(
    new_page: Any, live_server: Any
) -> None:
    world = _World()
    pair, mentor_token, mentee_token = mh.published_pair(world, name="Region Nord")
    day = clock.today() + dt.timedelta(days=2)
    while day in holidays_between(day, day):
        day += dt.timedelta(days=1)

    # The mentor opens their page, follows the link to the meetings and sets hours.
    mentor: Page = new_page()
    visit(mentor, f"/mentoring/me/{mentor_token}/")
    mentor.locator("#meetings-link").click()
    axe_check(mentor)
    expect(mentor.locator("h1")).to_contain_text("Träffar")
    mentor.select_option("#id_hours-weekday", str(day.weekday()))
    mentor.fill("#id_hours-start", "09:00")
    mentor.fill("#id_hours-end", "08:00")
    mentor.get_by_role("button", name="Lägg till tider").click()
    axe_check(mentor)
    expect(mentor.locator("#id_hours-end_error")).to_have_text(
        "Sluttiden måste vara efter starttiden."
    )
    mentor.fill("#id_hours-end", "12:00")
    mentor.get_by_role("button", name="Lägg till tider").click()
    axe_check(mentor)
    expect(mentor.locator("#mentor-hours")).to_contain_text("09:00–12:00")

    # The mentee, on a phone, books the first free time with a place.
    mentee: Page = new_page(MOBILE)
    visit(mentee, f"/mentoring/me/{mentee_token}/meetings/")
    day_slots = mentee.locator("fieldset.slots").first
    expect(day_slots.locator("legend")).to_contain_text(str(day.day))
    mentee.get_by_label("09:00").check()
    mentee.fill("#id_location", "Rum 3, stadshuset")
    mentee.get_by_role("button", name="Boka", exact=True).click()
    axe_check(mentee)
    expect(mentee.locator(".messages")).to_contain_text("Träffen är bokad")
    expect(mentee.locator("#pair-meetings")).to_contain_text("09:00–10:00")
    expect(mentee.locator("#pair-meetings")).to_contain_text("Maja Region Nord")

    # The mentor sees it; the mentee moves it to 11:00.
    visit(mentor, f"/mentoring/me/{mentor_token}/meetings/")
    expect(mentor.locator("#pair-meetings")).to_contain_text("Nils Region Nord")
    mentee.locator("#pair-meetings").get_by_role("link", name="Flytta").click()
    axe_check(mentee)
    mentee.get_by_label("11:00").check()
    mentee.get_by_role("button", name="Flytta").click()
    axe_check(mentee)
    expect(mentee.locator(".messages")).to_contain_text("Träffen är flyttad")
    expect(mentee.locator("#pair-meetings")).to_contain_text("11:00–12:00")

    # The .ics link serves the meeting.
    ics = mentee.request.get(
        mentee.locator("#pair-meetings")
        .get_by_role("link", name="Kalenderfil")
        .get_attribute("href")
        or ""
    )
    assert "SEQUENCE:1" in ics.text()

    # The mentee cancels it.
    mentee.locator("#pair-meetings").get_by_role("button", name="Ställ in träffen").click()
    axe_check(mentee)
    expect(mentee.locator(".messages")).to_contain_text("Träffen är inställd")
    expect(mentee.locator("#pair-meetings")).to_contain_text("Inga planerade träffar.")

    with scopes_disabled():
        meeting = PairMeeting.objects.get(pair=pair)
        methods = list(
            OutgoingMail.objects.filter(ics__contains=str(meeting.uid))
            .order_by("pk")
            .values_list("to", "ics_method")
        )
    assert (meeting.status, meeting.sequence) == ("cancelled", 2)
    assert [m for _to, m in methods] == ["REQUEST"] * 4 + ["CANCEL"] * 2
    assert {to for to, _m in methods} == {pair.mentor.email, pair.mentee.email}
