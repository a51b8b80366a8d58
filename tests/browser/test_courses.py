"""Issue 7, courses, walked in the browser without logging in: a visitor registers for a
course that then fills up; the next registrant (in English) lands on the waitlist and is
promoted when the first cancels through the link in their e-mail. Then the practice sees its
participants, takes attendance and opens the follow-up form. axe checks every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core.roles import Role
from bollplank.courses.models import Registration
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, visit
from tests.courses.conftest import make_course, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill(page: Page, name: str, email: str, organization: str) -> None:
    page.fill("#id_name", name)
    page.fill("#id_email", email)
    page.fill("#id_organization", organization)
    page.fill("#id_org_number", "212000-3005")
    page.fill("#id_invoice_street", "Box 1")
    page.fill("#id_invoice_postal_code", "751 05")
    page.fill("#id_invoice_city", "Uppsala")
    page.fill("#id_invoice_reference", "KS-123")
    page.fill("#id_dietary_needs", "Vegetariskt")


def test_course_fills_up_waitlist_promotes_after_cancellation(
    new_page: Any, live_server: Any, monkeypatch: Any
) -> None:
    # A person takes more than a second over the form; the bot check stays on.
    monkeypatch.setattr("bollplank.directory.spam.MIN_SECONDS_TO_SUBMIT", 1)
    practice = f.PracticeFactory(name="Ekbacken handledning", slug="ekbacken")
    admin = f.member(practice, Role.ADMIN, email="admin@ekbacken.se")
    f.member(practice, Role.SUPERVISOR, name="Siv Handledare")
    course = make_course(practice, capacity=2)
    register(course, email="forst@x.se", name="Först Anmäld")
    url = f"/kurser/ekbacken/{course.pk}/"

    # The first visitor, on a phone, takes the last place.
    anna: Page = new_page(MOBILE)
    visit(anna, url)
    expect(anna.locator("h1")).to_have_text("Kollegial grupphandledning")
    expect(anna.locator(".course-facts")).to_contain_text("1 av 2 platser kvar")
    _fill(anna, "Anna Andersson", "anna@kommun.se", "Uppsala kommun")
    anna.wait_for_timeout(1100)
    anna.get_by_role("button", name="Anmäl dig").click()
    axe_check(anna)
    expect(anna.locator("#status")).to_contain_text("Du har en plats.")
    anna_page = anna.url

    # The next visitor reads the page in English: the course is full, they join the waitlist.
    bo: Page = new_page()
    visit(bo, url)
    bo.get_by_role("button", name="English").click()
    axe_check(bo)
    expect(bo.locator(".course-facts")).to_contain_text("Full")
    _fill(bo, "Bo Berg", "bo@region.se", "Region Uppsala")
    # A typo first: the page says what is wrong and keeps everything typed.
    bo.fill("#id_org_number", "123")
    bo.wait_for_timeout(1100)
    bo.get_by_role("button", name="Join the waitlist").click()
    axe_check(bo)
    expect(bo.locator("#id_org_number_error")).to_be_visible()
    expect(bo.locator("#id_invoice_reference")).to_have_value("KS-123")
    bo.fill("#id_org_number", "232100-0024")
    bo.wait_for_timeout(1100)
    bo.get_by_role("button", name="Join the waitlist").click()
    axe_check(bo)
    expect(bo.locator("#status")).to_contain_text("You are number 1 on the waitlist.")
    bo_page = bo.url

    # Anna cancels through her own page; Bo gets the place and an e-mail saying so.
    mail.outbox.clear()
    visit(anna, anna_page)
    anna.get_by_role("button", name="Avboka min anmälan").click()
    axe_check(anna)
    expect(anna.locator("#status")).to_contain_text("Din anmälan är avbokad.")
    visit(bo, bo_page)
    expect(bo.locator("#status")).to_contain_text("You have a place.")
    promoted = [m for m in mail.outbox if m.to == ["bo@region.se"]]
    assert len(promoted) == 1
    assert promoted[0].subject == "A place on Kollegial grupphandledning is yours"
    assert promoted[0].attachments[0][0] == "invite.ics"
    with scopes_disabled():
        statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "forst@x.se": "confirmed",
        "anna@kommun.se": "cancelled",
        "bo@region.se": "confirmed",
    }

    # The practice: the course list, the participants, attendance, the follow-up form.
    staff: Page = new_page()
    login(staff, admin.email)
    staff.get_by_role("link", name="Kurser", exact=True).click()
    axe_check(staff)
    staff.get_by_role("link", name="Kollegial grupphandledning").click()
    axe_check(staff)
    participants = staff.locator("table")
    expect(participants).to_contain_text("Bo Berg")
    expect(participants).to_contain_text("Vegetariskt")
    # Attendance is taken once the first day has begun: the clock moves to that morning.
    with scopes_disabled():
        first_day = course.days.order_by("starts_at").first()
    morning = time_machine.travel(first_day.starts_at + dt.timedelta(hours=1), tick=True)
    morning.start()
    try:
        # A month on, the earlier session has ended: the admin logs in again.
        login(staff, admin.email)
        visit(staff, f"/p/ekbacken/courses/{course.pk}/")
        staff.get_by_role("link", name="Närvaro").first.click()
        axe_check(staff)
        staff.get_by_label("Bo Berg").check()
        staff.get_by_role("button", name="Spara").click()
        axe_check(staff)
        expect(staff.locator(".messages")).to_contain_text("Närvaron är sparad.")
    finally:
        morning.stop()
    staff.get_by_role("link", name="Gör deltagarna till en uppföljande handledningsgrupp").click()
    axe_check(staff)
    expect(staff.locator("#id_title")).to_have_value("Uppföljning: Kollegial grupphandledning")
    visit(staff, f"/p/ekbacken/courses/{course.pk}/edit/")
    expect(staff.locator("#id_days-0-day")).not_to_have_value("")
