"""Issue 12, "Done when", in the browser in Swedish: a supervisor sets bookable hours, an
exception and uploads an outside calendar file; a participant books, moves and cancels a
meeting; no time offered ever collides with a meeting or a busy time; an inquiry's visitor
books, moves and cancels a first talk through the link the inquiry page sent. axe on every
page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.booking.models import BusyInterval, WeeklyHours
from bollplank.core import clock
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting
from tests.booking.helpers import individual
from tests.browser.conftest import MOBILE, axe_check, login, path_of, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P = "ekbacken"


def _outside_file(tmp_path: Path) -> tuple[Path, dt.datetime, dt.datetime]:
    """An .ics file with one private appointment, 10:00–12:00 on a weekday next week."""
    day = clock.today() + dt.timedelta(days=7)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday
    stamp = day.strftime("%Y%m%d")
    path = tmp_path / "privat.ics"
    path.write_bytes(
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//SV\r\nBEGIN:VEVENT\r\n"
            f"UID:tandlakare@privat\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID=Europe/Stockholm:{stamp}T100000\r\n"
            f"DTEND;TZID=Europe/Stockholm:{stamp}T120000\r\n"
            "SUMMARY:Tandläkaren\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()
    )
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
    return path, start, start + dt.timedelta(hours=2)


def _offered(page: Page) -> list[dt.datetime]:
    values = page.locator("input[name=start]").evaluate_all("els => els.map(e => e.value)")
    return [dt.datetime.fromisoformat(v) for v in values]


def _assert_no_collision(offered: list[dt.datetime], supervisor: Any, minutes: int) -> None:
    with scopes_disabled():
        taken = list(
            Meeting.objects.filter(supervisor=supervisor, status=MeetingStatus.PLANNED).values_list(
                "starts_at", "ends_at"
            )
        )
        taken += list(
            BusyInterval.objects.filter(supervisor=supervisor).values_list("starts_at", "ends_at")
        )
    length = dt.timedelta(minutes=minutes)
    for start in offered:
        for busy_start, busy_end in taken:
            assert not (start < busy_end and start + length > busy_start), (start, busy_start)


def test_supervisor_opens_hours_and_participant_books_moves_and_cancels(
    new_page: Any, world: Any, tmp_path: Path
):
    engagement = individual(world, hours=False)
    ics, busy_start, busy_end = _outside_file(tmp_path)

    # The supervisor: hours every weekday, a closed day, the outside calendar.
    sup: Page = new_page()
    login(sup, "siv@ekbacken.se")
    sup.get_by_role("link", name="Kalender", exact=True).click()
    axe_check(sup)
    sup.get_by_role("link", name="Bokning", exact=True).click()
    axe_check(sup)
    expect(sup.locator("h1")).to_have_text("Bokningsbara tider")
    # A typo first: the end before the start is refused and what was typed stays.
    sup.select_option("#id_hours-weekday", "0")
    sup.fill("#id_hours-start", "17:00")
    sup.fill("#id_hours-end", "09:00")
    sup.get_by_role("button", name="Lägg till tider").click()
    axe_check(sup)
    expect(sup.locator("#id_hours-end_error")).to_contain_text("efter")
    expect(sup.locator("#id_hours-start")).to_have_value("17:00")
    for weekday in range(5):
        sup.select_option("#id_hours-weekday", str(weekday))
        sup.fill("#id_hours-start", "09:00")
        sup.fill("#id_hours-end", "17:00")
        sup.get_by_role("button", name="Lägg till tider").click()
        axe_check(sup)
        expect(sup.locator(".messages")).to_contain_text("Tiderna är tillagda.")
    closed = clock.today() + dt.timedelta(days=3)
    sup.fill("#id_exc-first_day", closed.isoformat())
    sup.get_by_role("button", name="Lägg till undantaget").click()
    axe_check(sup)
    expect(sup.locator(".messages")).to_contain_text("Undantaget är tillagt.")
    with scopes_disabled():
        assert WeeklyHours.objects.filter(supervisor=world.supervisor).count() == 5

    sup.get_by_role("link", name="Andra kalendrar").click()
    axe_check(sup)
    sup.fill("#id_upload-name", "Privat")
    sup.set_input_files("#id_upload-file", str(ics))
    sup.get_by_role("button", name="Ladda upp").click()
    axe_check(sup)
    expect(sup.locator(".messages")).to_contain_text("Kalendern är tillagd med 1 upptagna tider.")
    expect(sup.locator("main")).not_to_contain_text("Tandläkaren")
    with scopes_disabled():
        assert list(BusyInterval.objects.values_list("starts_at", "ends_at")) == [
            (busy_start, busy_end)
        ]

    # The participant: free times, book, move, cancel.
    pia: Page = new_page()
    login(pia, "pia@solbacka.se")
    pia.get_by_role("link", name="Boka en träff", exact=True).click()
    axe_check(pia)
    expect(pia.locator("main")).to_contain_text("0 / 3")
    pia.get_by_role("link", name="Se lediga tider").click()
    axe_check(pia)
    offered = _offered(pia)
    assert offered
    _assert_no_collision(offered, world.supervisor, 60)
    assert all(timezone.localtime(s).date() != closed for s in offered)
    # Choosing nothing is refused with a message.
    pia.get_by_role("button", name="Boka", exact=True).click()
    axe_check(pia)
    expect(pia.locator(".error-summary")).to_contain_text("Välj en av de lediga tiderna.")
    # Book a time a few days ahead, so that it can still be moved.
    later = [s for s in _offered(pia) if s - clock.now() > dt.timedelta(days=3)]
    if not later:
        pia.get_by_role("link", name="Senare").click()
        axe_check(pia)
        later = [s for s in _offered(pia) if s - clock.now() > dt.timedelta(days=3)]
    pia.locator(f"input[value='{later[0].isoformat()}']").check()
    pia.get_by_role("button", name="Boka", exact=True).click()
    axe_check(pia)
    expect(pia.locator(".messages")).to_contain_text("Träffen är bokad")
    expect(pia.locator("main")).to_contain_text("1 / 3")
    with scopes_disabled():
        meeting = Meeting.objects.get(engagement=engagement)
    assert meeting.starts_at == later[0]

    # Move it: the page offers no time that collides (its own old time excluded).
    pia.get_by_role("link", name="Flytta").click()
    axe_check(pia)
    offered = _offered(pia)
    with scopes_disabled():
        others = Meeting.objects.exclude(pk=meeting.pk)
        assert others.filter(supervisor=world.supervisor).exists()
    target = next(
        s
        for s in offered
        if abs(s - meeting.starts_at) > dt.timedelta(hours=3)
        and s - clock.now() > dt.timedelta(days=3)
    )
    pia.locator(f"input[value='{target.isoformat()}']").check()
    pia.get_by_role("button", name="Flytta").click()
    axe_check(pia)
    expect(pia.locator(".messages")).to_contain_text("Träffen är flyttad")
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (target, 1)

    # The supervisor sees it in the calendar feed's source: the meeting list.
    visit(sup, f"/p/{P}/meetings/{meeting.pk}/")
    expect(sup.locator("main")).to_contain_text(engagement.title)

    # Cancel it, on a phone.
    phone: Page = new_page(MOBILE)
    login(phone, "pia@solbacka.se")
    visit(phone, f"/p/{P}/booking/")
    phone.get_by_label("Skäl").fill("Kurs samma dag")
    phone.get_by_role("button", name="Ställ in träffen").click()
    axe_check(phone)
    expect(phone.locator("#consequence")).to_contain_text("Debiteras inte.")
    phone.get_by_role("button", name="Bekräfta avbokningen").click()
    axe_check(phone)
    expect(phone.locator(".messages")).to_contain_text("Träffen är inställd")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.late_cancellation) == (MeetingStatus.CANCELLED, False)


def test_visitor_books_a_first_talk_once_through_a_link(new_page: Any, world: Any):
    engagement = individual(world)
    sup: Page = new_page()
    login(sup, "siv@ekbacken.se")
    visit(sup, f"/p/{P}/booking/links/")
    sup.select_option("#id_engagement", str(engagement.pk))
    sup.fill("#id_label", "Förfrågan <b>Kim</b>")
    sup.get_by_role("button", name="Skapa en länk").click()
    axe_check(sup)
    link = sup.locator("#new-link").input_value()
    expect(sup.locator("main table")).to_contain_text("Förfrågan <b>Kim</b>")

    guest: Page = new_page(MOBILE)
    visit(guest, path_of(link))
    offered = _offered(guest)
    _assert_no_collision(offered, world.supervisor, engagement.meeting_minutes)
    guest.locator("input[name=start]").first.check()
    guest.get_by_role("button", name="Boka", exact=True).click()
    axe_check(guest)
    expect(guest.locator("main")).to_contain_text("Din träff är bokad")
    expect(guest.get_by_role("link", name="Lägg in den i din kalender (.ics)")).to_be_visible()
    with scopes_disabled():
        assert Meeting.objects.filter(engagement=engagement).count() == 1
        meeting = Meeting.objects.get(engagement=engagement)
    assert meeting.starts_at == offered[0]


def test_inquiry_sends_a_first_talk_link_and_the_visitor_books_moves_and_cancels(
    new_page: Any, world: Any
):
    import re

    from bollplank.booking.models import FirstTalk, Place
    from bollplank.notifications.models import OutgoingMail
    from tests.booking.helpers import open_weekdays
    from tests.directory.helpers import inquiry

    open_weekdays(world, Place.VIDEO)
    asked = inquiry(world.practice, name="Vera Besökare", email="vera@example.se")

    # The admin answers the inquiry with a booking link for a first talk with Siv.
    admin: Page = new_page()
    login(admin, "admin@ekbacken.se")
    visit(admin, f"/p/{P}/inquiries/{asked.pk}/")
    axe_check(admin)
    admin.select_option("#id_talk-supervisor", str(world.supervisor.pk))
    admin.get_by_role("button", name="Skicka bokningslänk för ett första samtal").click()
    axe_check(admin)
    expect(admin.locator(".messages")).to_contain_text("vera@example.se")
    expect(admin.locator("main")).to_contain_text("I dialog")
    with scopes_disabled():
        mail = OutgoingMail.objects.get(to="vera@example.se")
    link = re.search(r"https?://\S+/book/\S+/", mail.text).group(0)  # type: ignore[union-attr]

    # The visitor, on a phone: free times of 30 minutes, book one a few days ahead.
    guest: Page = new_page(MOBILE)
    visit(guest, path_of(link))
    axe_check(guest)
    expect(guest.locator("h1")).to_contain_text("Boka ett första samtal")
    expect(guest.locator("main")).to_contain_text("30 minuter med Siv Handledare")
    _assert_no_collision(_offered(guest), world.supervisor, 30)
    guest.get_by_role("link", name="Senare").click()
    axe_check(guest)
    chosen = _offered(guest)[0]
    guest.locator(f"input[value='{chosen.isoformat()}']").check()
    guest.get_by_role("button", name="Boka", exact=True).click()
    axe_check(guest)
    expect(guest.locator("main")).to_contain_text("Ditt första samtal med Siv Handledare är bokat")
    expect(guest.get_by_role("link", name="Lägg in den i din kalender (.ics)")).to_be_visible()
    with scopes_disabled():
        talk = FirstTalk.objects.get()
    assert talk.starts_at == chosen

    # The supervisor sees it in the calendar, without the visitor's name.
    sup: Page = new_page()
    login(sup, "siv@ekbacken.se")
    visit(sup, f"/p/{P}/calendar/week/?date={timezone.localtime(chosen).date().isoformat()}")
    axe_check(sup)
    expect(sup.locator("main")).to_contain_text("Första samtal")
    expect(sup.locator("main")).not_to_contain_text("Vera")

    # Move it to a later time on the same page, then cancel it.
    visit(guest, path_of(link) + "?week=2")
    axe_check(guest)
    target = _offered(guest)[-1]
    guest.locator(f"input[value='{target.isoformat()}']").check()
    guest.get_by_role("button", name="Flytta", exact=True).click()
    axe_check(guest)
    expect(guest.locator(".messages")).to_contain_text("Det första samtalet är flyttat.")
    talk.refresh_from_db()
    assert (talk.starts_at, talk.sequence) == (target, 1)
    guest.get_by_role("button", name="Ställ in det första samtalet").click()
    axe_check(guest)
    expect(guest.locator(".messages")).to_contain_text("Det första samtalet är inställt.")
    talk.refresh_from_db()
    assert talk.is_cancelled and talk.sequence == 2
    with scopes_disabled():
        methods = list(
            OutgoingMail.objects.filter(to="siv@ekbacken.se")
            .order_by("pk")
            .values_list("ics_method", flat=True)
        )
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
