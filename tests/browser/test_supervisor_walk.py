"""Issue 2, "Done when", walked in the browser in Swedish.

A supervisor creates a client, a group engagement with two participants, plans a term of
weekly meetings across a Swedish public holiday and a daylight-saving change, moves one
meeting, records attendance and subscribes to their calendar feed, which imports cleanly.
Then the participant and the client contact, each invited by e-mail and choosing their own
password, see what they should and no more.

The dates are computed from today: the series starts in the week before the next change of
the clocks, on the weekday whose weekly series reaches a Swedish holiday soonest.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.engagements.models import Engagement
from bollplank.meetings.models import Attendance, Meeting
from tests.browser.conftest import axe_check, login, path_of, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SLUG = "ekbacken"
CLIENT_NAME = "Björkhagens förskola"
TITLE = "Arbetslaget Ekorren"
ANNA = ("Anna Andersson", "anna.andersson@bjorkhagen.example")
BERTIL = ("Bertil Berg", "bertil.berg@bjorkhagen.example")
CONTACT = ("Cecilia Chef", "cecilia.chef@bjorkhagen.example")
NEW_PASSWORD = "tre gröna äpplen i korgen"
NINE = dt.time(9, 0)


def swedish_holidays(*years: int) -> dict[dt.date, str]:
    # The same categories as the app: public holidays and the de-facto ones (eves).
    return dict(
        holidays.country_holidays(
            "SE", years=years, language="sv", categories=("public", "de_facto")
        )
    )


def offset_on(day: dt.date) -> dt.timedelta:
    return dt.datetime.combine(day, NINE, tzinfo=STOCKHOLM).utcoffset() or dt.timedelta()


@dataclass
class Term:
    first: dt.date  # the first meeting, before the clocks change
    clock_change: dt.date  # the Sunday the clocks change
    holiday: dt.date  # the skipped date in the series
    holiday_name: str
    count: int  # meetings to plan (holidays do not count)
    dates: list[dt.date]  # the planned dates, holiday left out
    moved_from: dt.date
    moved_to: dt.date
    held: dt.date  # a kick-off meeting last week, for attendance


def plan_term(today: dt.date) -> Term:
    day = today + dt.timedelta(days=8)
    while offset_on(day) == offset_on(day - dt.timedelta(days=1)):
        day += dt.timedelta(days=1)
    clock_change = day  # first day with the new offset (a Sunday)
    feast = swedish_holidays(clock_change.year, clock_change.year + 1)
    # The weekday whose weekly series reaches a holiday soonest, with no second holiday before
    # the series ends (the walk expects exactly one skipped date).
    candidates: list[tuple[int, dt.date, dt.date]] = []
    for weekday in range(5):
        first = clock_change - dt.timedelta(days=6) + dt.timedelta(days=weekday)
        for k in range(1, 14):
            candidate = first + dt.timedelta(weeks=k)
            if candidate in feast:
                candidates.append((k, first, candidate))
                break
    for k, first, holiday in sorted(candidates):
        count = max(6, k + 2)
        series = [first + dt.timedelta(weeks=i) for i in range(count + 1)]
        if [d for d in series if d in feast] == [holiday]:
            break
    else:
        raise AssertionError("no weekday series reaches exactly one holiday within 13 weeks")
    dates = [d for d in series if d != holiday]
    moved_from = next(d for d in dates if d > holiday)
    moved_to = moved_from + dt.timedelta(days=1)
    while moved_to in feast or moved_to.weekday() >= 5:
        moved_to += dt.timedelta(days=1)
    held = today - dt.timedelta(days=7)
    while held in swedish_holidays(held.year) or held.weekday() >= 5:
        held -= dt.timedelta(days=1)
    return Term(
        first, clock_change, holiday, feast[holiday], count, dates, moved_from, moved_to, held
    )


def invitation_path(email: str) -> str:
    """The invitation link from the last e-mail to ``email``, as a path on this server."""
    sent = [m for m in mail.outbox if email in m.to]
    assert sent, f"no e-mail to {email}; outbox: {[m.to for m in mail.outbox]}"
    found = re.search(r"https?://\S+?(/invitation/[^/\s]+/)", str(sent[-1].body))
    assert found, sent[-1].body
    return found.group(1)


def accept_invitation(page: Page, path: str, name: str) -> None:
    visit(page, path)
    expect(page.locator("input[name=name]")).to_have_value(name)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)


def submit(page: Page, button: str = "main form button.primary") -> None:
    """Click a submit button, wait for the next page and check it with axe."""
    with page.expect_navigation():
        page.locator(button).click()
    axe_check(page)


def ymd(day: dt.date) -> str:
    return day.isoformat()


def test_supervisor_runs_an_engagement_end_to_end(
    world: Any, new_page: Callable[..., Page], live_server: Any, settings: Any
) -> None:
    # Invitations go out through the task queue: run tasks at once, keep mail in memory.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = clock.today()
    term = plan_term(today)
    print(f"\nterm: {term}")

    # --- the supervisor logs in -------------------------------------------------------------
    page = new_page()
    login(page, world.supervisor.email)
    assert path_of(page.url) == f"/p/{SLUG}/"
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Hej Siv Handledare")
    expect(page.locator("a.skip-link")).to_have_text("Hoppa till innehållet")
    # The style sheet and htmx come from our own static files (no external assets).
    header_colour = "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    assert page.evaluate(header_colour) == "rgb(18, 53, 82)"
    assert page.evaluate("() => typeof window.htmx") == "object"

    # --- creates a client -------------------------------------------------------------------
    with page.expect_navigation():
        page.locator(f"nav a[href='/p/{SLUG}/clients/']").click()
    axe_check(page)
    with page.expect_navigation():
        page.locator(f"main a[href='/p/{SLUG}/clients/new/']").first.click()
    axe_check(page)
    page.fill("#id_name", CLIENT_NAME)
    page.fill("#id_org_number", "212000-0142")
    page.select_option("#id_sector", "preschool")
    page.fill("#id_street", "Björkvägen 3")
    page.fill("#id_postal_code", "752 36")
    page.fill("#id_city", "Uppsala")
    page.fill("#id_invoice_reference", "Rektor 4711")
    page.fill("#id_mission", "Förskolans uppdrag: omsorg, utveckling och lärande för varje barn.")
    submit(page)
    expect(page.locator("h1")).to_have_text(CLIENT_NAME)
    expect(page.locator("main")).to_contain_text("212000-0142")
    client_path = path_of(page.url)
    assert re.fullmatch(rf"/p/{SLUG}/clients/\d+/", client_path), client_path

    # ... with a contact, invited to log in from the client page
    with page.expect_navigation():
        page.locator("main a[href$='/contacts/new/']").click()
    axe_check(page)
    page.fill("#id_name", CONTACT[0])
    page.fill("#id_email", CONTACT[1])
    page.fill("#id_title", "Förskolechef")
    submit(page)
    contact_item = page.locator("main li", has_text=CONTACT[0])
    submit(page, f"main li:has-text('{CONTACT[0]}') form[action$='/invite/'] button")
    expect(page.locator(".messages")).to_contain_text(CONTACT[1])
    contact_invitation = invitation_path(CONTACT[1])
    expect(contact_item).to_have_count(1)

    # --- creates a group engagement with two participants -----------------------------------
    with page.expect_navigation():
        page.locator("main a.button.primary[href*='/engagements/new/']").click()
    axe_check(page)
    page.select_option("#id_client", label=CLIENT_NAME)
    page.fill("#id_title", TITLE)
    page.select_option("#id_form", "group")
    page.select_option("#id_focus", "process")
    # Enough for the term, the kick-off and the moved meeting: the term's length depends on the
    # day the test runs at, and planning past the order asks for a confirmation.
    page.fill("#id_meetings_ordered", str(term.count + 2))
    page.fill("#id_start_date", ymd(term.held - dt.timedelta(days=7)))
    page.fill("#id_end_date", ymd(term.dates[-1] + dt.timedelta(days=30)))
    page.select_option("#id_venue", "client")
    page.fill("#id_venue_address", "Björkvägen 3, Uppsala")
    page.fill("#id_price_kr", "4500")
    page.fill("#id_expectations", "Stöd i arbetslagets samarbete.")
    page.fill("#id_participants_text", f"{ANNA[0]}, {ANNA[1]}\n{BERTIL[0]}, {BERTIL[1]}")
    submit(page)
    plan_path = path_of(page.url)
    assert re.fullmatch(rf"/p/{SLUG}/engagements/\d+/plan/", plan_path), plan_path
    engagement_path = plan_path.removesuffix("plan/")
    with scopes_disabled():
        engagement = Engagement.objects.get(title=TITLE)
        assert engagement.meeting_minutes == 120  # the group default
        assert engagement.client.name == CLIENT_NAME
        assert sorted(m.participant.name for m in engagement.memberships.all()) == [
            ANNA[0],
            BERTIL[0],
        ]

    # --- plans a series every week across a holiday and a clock change ----------------------
    page.fill("#id_first_day", ymd(term.first))
    page.fill("#id_time", "09:00")
    page.fill("#id_interval_weeks", "1")
    page.check("input[name=end_mode][value=count]")
    page.fill("#id_count", str(term.count))
    expect(page.locator("#id_skip_holidays")).to_be_checked()
    submit(page, "button[name=action][value=preview]")
    rows = page.locator("tr.proposal")
    expect(rows).to_have_count(term.count + 1)
    holiday_row = page.locator("tr.proposal.holiday")
    expect(holiday_row).to_have_count(1)
    expect(holiday_row).to_contain_text(ymd(term.holiday))
    expect(holiday_row).to_contain_text(term.holiday_name)
    expect(holiday_row).to_contain_text("Helgdag")
    expect(holiday_row.locator("input[type=checkbox]")).not_to_be_checked()
    expect(page.locator("tr.proposal.ok input[type=checkbox]:checked")).to_have_count(term.count)
    submit(page, "button[name=action][value=create]")
    assert path_of(page.url) == engagement_path
    meeting_rows = page.locator("section[aria-labelledby=meet-h] tbody tr")
    expect(meeting_rows).to_have_count(term.count)
    for day in term.dates:
        expect(meeting_rows.filter(has_text=ymd(day))).to_contain_text("09:00–11:00")
    expect(page.locator("section[aria-labelledby=meet-h]")).not_to_contain_text(ymd(term.holiday))
    with scopes_disabled():
        planned = list(Meeting.objects.filter(engagement=engagement).order_by("starts_at"))
    assert [timezone.localtime(m.starts_at).date() for m in planned] == term.dates
    assert {timezone.localtime(m.starts_at).time() for m in planned} == {NINE}
    assert len({timezone.localtime(m.starts_at).utcoffset() for m in planned}) == 2

    # --- moves one meeting with the move form on its page -----------------------------------
    with page.expect_navigation():
        meeting_rows.filter(has_text=ymd(term.moved_from)).locator("a").click()
    axe_check(page)
    moved_path = path_of(page.url)
    expect(page.locator("#id_day")).to_have_value(ymd(term.moved_from))
    page.fill("#id_day", ymd(term.moved_to))
    page.fill("#id_time", "09:00")
    submit(page, "form[action$='/move/'] button")
    assert path_of(page.url) == moved_path
    expect(page.locator("main p.lead time")).to_have_attribute(
        "datetime", re.compile(rf"^{ymd(term.moved_to)}T09:00:00\+0[12]:00$")
    )
    expect(page.locator(".messages .success")).to_have_count(1)

    # --- adds last week's kick-off meeting and records who came ------------------------------
    visit(page, engagement_path)
    with page.expect_navigation():
        page.locator("main a[href$='/meetings/new/']").click()
    axe_check(page)
    page.fill("#id_day", ymd(term.held))
    page.fill("#id_time", "13:00")
    # A past meeting enters only as held, with everyone's attendance, in the same form.
    page.check("#id_held")
    submit(page)
    page.locator("fieldset.attendance", has_text=ANNA[0]).locator("input[value=present]").check()
    page.locator("fieldset.attendance", has_text=BERTIL[0]).locator("input[value=absent]").check()
    submit(page)
    held_path = path_of(page.url)
    assert re.fullmatch(rf"/p/{SLUG}/meetings/\d+/", held_path), held_path
    expect(
        page.locator("fieldset.attendance", has_text=ANNA[0]).locator("input[value=present]")
    ).to_be_checked()
    expect(
        page.locator("fieldset.attendance", has_text=BERTIL[0]).locator("input[value=absent]")
    ).to_be_checked()
    with scopes_disabled():
        assert sorted(
            Attendance.objects.filter(meeting__engagement=engagement).values_list(
                "participant__name", "status"
            )
        ) == [(ANNA[0], "present"), (BERTIL[0], "absent")]
    visit(page, engagement_path)
    held_row = page.locator("section[aria-labelledby=meet-h] tbody tr", has_text=ymd(term.held))
    expect(held_row.locator("td").last).to_have_text("1")

    # --- subscribes to the calendar feed; it imports cleanly ---------------------------------
    page.locator("details.account-menu > summary").click()
    with page.expect_navigation():
        page.locator(f"nav a[href='/p/{SLUG}/feed/']").click()
    axe_check(page)
    submit(page, "button[name=action][value=create]")
    feed_url = page.locator("#feed-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/feed/[\w-]+\.ics", feed_url), feed_url
    with urllib.request.urlopen(
        feed_url, timeout=10
    ) as response:  # no cookies: the link is the key
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        body = response.read()
    calendar = icalendar.Calendar.from_ical(body)
    zones = [tz["TZID"] for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Stockholm"]
    events = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == TITLE]
    assert len(events) == term.count + 1
    assert len({str(e["UID"]) for e in events}) == len(events)
    by_day: dict[dt.date, Any] = {}
    for event in events:
        assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
        start = event.decoded("DTSTART")
        by_day[start.date()] = event
    expected_days = [d if d != term.moved_from else term.moved_to for d in term.dates]
    assert sorted(by_day) == sorted([term.held, *expected_days])
    offsets = set()
    for day in expected_days:
        event = by_day[day]
        start = event.decoded("DTSTART")
        assert start.time() == NINE, (day, start)
        assert start.utcoffset() == offset_on(day)
        offsets.add(start.utcoffset())
        assert event.decoded("DTEND") - start == dt.timedelta(hours=2)
        assert int(event["SEQUENCE"]) == (1 if day == term.moved_to else 0), day
        assert str(event["STATUS"]) == "CONFIRMED"
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}, "both sides of the change"
    # What leaves for outside calendar servers never names the participants.
    for secret in (ANNA[0], BERTIL[0], ANNA[1], BERTIL[1]):
        assert secret.encode() not in body

    # --- invites a participant from the engagement page ---------------------------------------
    visit(page, engagement_path)
    group = "section[aria-labelledby=group-h]"
    submit(page, f"{group} li:has-text('{ANNA[0]}') form[action$='/invite/'] button")
    expect(page.locator(".messages")).to_contain_text(ANNA[1])
    participant_invitation = invitation_path(ANNA[1])

    # --- the participant sees their meetings, not the others' attendance ---------------------
    anna = new_page()
    accept_invitation(anna, participant_invitation, ANNA[0])
    assert path_of(anna.url) == f"/p/{SLUG}/me/"
    expect(anna.locator("html")).to_have_attribute("lang", "sv")
    expect(anna.locator("h1")).to_have_text("Mina träffar")
    upcoming = anna.locator("section[aria-labelledby=up-h] li")
    expect(upcoming).to_have_count(term.count)
    for day in expected_days:
        expect(upcoming.locator(f"time[datetime^='{ymd(day)}T09:00']")).to_have_count(1)
    recent = anna.locator("section[aria-labelledby=past-h] li")
    expect(recent).to_have_count(1)
    expect(anna.locator("main")).not_to_contain_text(BERTIL[0])
    with anna.expect_navigation():
        recent.locator("a").click()
    axe_check(anna)
    assert path_of(anna.url) == held_path
    expect(anna.locator("main")).to_contain_text(re.compile("närvarande", re.I))  # her own
    expect(anna.locator("main")).not_to_contain_text(BERTIL[0])
    expect(anna.locator("main")).not_to_contain_text(re.compile("frånvarande", re.I))
    expect(anna.locator("input[type=radio]")).to_have_count(0)
    expect(anna.locator("form[action$='/move/']")).to_have_count(0)
    # The engagement page (with the group and its attendance) is for the supervisor.
    response = visit(anna, engagement_path)
    assert response is not None and response.status in {403, 404}
    expect(anna.locator("main")).not_to_contain_text(BERTIL[0])

    # --- the client contact sees the schedule and counts, and no names -----------------------
    cecilia = new_page()
    accept_invitation(cecilia, contact_invitation, CONTACT[0])
    assert path_of(cecilia.url) == f"/p/{SLUG}/client/"
    expect(cecilia.locator("h1")).to_have_text("Våra uppdrag")
    card = cecilia.locator("section.card", has_text=TITLE)
    expect(card).to_have_count(1)
    # The start page: the next meetings (three at most) and the term's attendance totals.
    upcoming = card.locator("tbody tr")
    expect(upcoming).to_have_count(min(3, term.count))
    expect(upcoming.first).to_contain_text(ymd(min(expected_days)))
    expect(card).to_contain_text("1 träffar genomförda, 1 närvarotillfällen av 2 möjliga")
    start_text = cecilia.locator("main").inner_text()
    # The whole schedule, a click away: every meeting, and the held one's counts.
    card.get_by_role("link", name="Hela schemat och närvaron").click()
    axe_check(cecilia)
    expect(cecilia.locator("h1")).to_have_text(TITLE)
    schedule = cecilia.locator("main tbody tr")
    expect(schedule).to_have_count(term.count + 1)
    for day in expected_days:
        expect(schedule.filter(has_text=ymd(day))).to_contain_text("09:00–11:00")
    held_cells = schedule.filter(has_text=ymd(term.held)).locator("td")
    expect(held_cells.nth(3)).to_have_text("1")  # present
    expect(held_cells.nth(4)).to_have_text("1")  # absent
    main_text = start_text + cecilia.locator("main").inner_text()
    for secret in (ANNA[0], BERTIL[0], ANNA[1], BERTIL[1]):
        assert secret not in main_text
    for path in (held_path, engagement_path):
        response = visit(cecilia, path)
        assert response is not None and response.status in {403, 404}, path
        assert ANNA[0] not in cecilia.locator("main").inner_text()

    with scopes_disabled():
        contact_user = Client.objects.get(name=CLIENT_NAME).contacts.get().user
        assert contact_user is not None and contact_user.email == CONTACT[1]
