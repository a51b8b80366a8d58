"""Issue 5 walked as new users would: a group answers the after-meeting check on their phones
after several meetings and a mid-point evaluation; the supervisor sees the trend; the client
contact downloads a report in which no small group is visible. axe runs on every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core import clock
from bollplank.evaluations import services
from bollplank.evaluations.models import Invitation, Round
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, visit
from tests.evaluations.helpers import answer_all, evaluation_round, group

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _links(rnd: Round) -> list[str]:
    with scopes_disabled():
        invitations = list(Invitation.objects.filter(round=rnd).order_by("pk"))
    return [f"/e/{services.invitation_token(inv)}/" for inv in invitations]


def _answer_on_phone(page: Page, link: str, value: str) -> None:
    visit(page, link)
    expect(page.locator("#privacy-note")).to_contain_text("Dina svar är anonyma")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the questions scroll sideways on a phone"
    for fieldset in page.locator("fieldset.scale").all():
        option = fieldset.locator(f"input[value='{value}']")
        # A yes/no question has no such value: "yes".
        (option if option.count() else fieldset.locator("input").first).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka mina svar").click()
    expect(page.locator("h1")).to_have_text("Tack för dina svar")
    axe_check(page)


def _close(*rounds: Round) -> None:
    """A week goes by: the rounds close."""
    with scopes_disabled():
        Round.objects.filter(pk__in=[r.pk for r in rounds]).update(
            send_on=clock.now() - dt.timedelta(days=8),
            closes_at=clock.now() - dt.timedelta(minutes=1),
        )


def test_group_answers_on_phones_supervisor_sees_trend_client_gets_safe_pdf(
    world: Any, new_page: Callable[..., Page]
) -> None:
    big, first_meeting = group(world, 6, "Arbetslaget Ekorren")
    small, _m = group(world, 3, "Ledningsgruppen")
    with scopes_disabled():
        later = [
            f.MeetingFactory(
                engagement=big, starts_at=first_meeting.starts_at + dt.timedelta(days=14 * i)
            )
            for i in (1, 2)
        ]

    # The supervisor sends the after-meeting check from the first meeting's page.
    desk = new_page()
    login(desk, world.supervisor.email)
    visit(desk, f"/p/ekbacken/meetings/{first_meeting.pk}/")
    desk.get_by_role("link", name="Skicka frågorna efter träffen").click()
    axe_check(desk)
    desk.get_by_label("anonyma").check()
    with desk.expect_navigation():
        desk.get_by_role("button", name="Skicka").click()
    axe_check(desk)
    expect(desk.locator(".messages")).to_contain_text("6 deltagare")
    with scopes_disabled():
        rounds = [Round.objects.get(meeting=first_meeting)]
    with scope(practice=world.practice):
        for meeting in later:
            rounds.append(
                services.after_meeting_send(actor=world.supervisor, meeting=meeting, anonymous=True)
            )

    # Each of the six answers on a phone after the first meeting; later meetings, too.
    phone = new_page(viewport=MOBILE)
    for link in _links(rounds[0]):
        _answer_on_phone(phone, link, "6")
    _answer_on_phone(phone, _links(rounds[1])[0], "8")
    answer_all(rounds[1], value=8)  # the rest of the group, the same way
    answer_all(rounds[2], value=9)

    # The mid-point evaluation, planned by the supervisor on the follow-up page.
    visit(desk, f"/p/ekbacken/evaluations/engagements/{big.pk}/")
    desk.get_by_label("Enkät").select_option(label="Utvärdering av handledningen")
    desk.get_by_label("När i uppdraget").select_option("midpoint")
    today = clock.today()
    desk.get_by_label("Skicka den").fill(today.isoformat())
    desk.get_by_label("Sista dag att svara").fill((today + dt.timedelta(days=7)).isoformat())
    with desk.expect_navigation():
        desk.get_by_role("button", name="Planera").click()
    axe_check(desk)
    with scopes_disabled():
        midpoint = Round.objects.get(engagement=big, phase="midpoint")
        # "Today" goes out at 08:00 local time; before that (a CI run at night) the task
        # worker sends it then: do here what it would do at 08:00.
        if midpoint.sent_at is None:
            assert timezone.localtime(midpoint.send_on).time() == dt.time(8, 0)
            services.round_send(rnd=midpoint)
    _answer_on_phone(phone, _links(midpoint)[0], "4")
    answer_all(midpoint, value=4)
    # The small group's evaluation: three answers, which must never reach the client.
    small_round = evaluation_round(world, small)
    answer_all(small_round, value=1)
    _close(*rounds, midpoint, small_round)

    # The supervisor sees the trend: an SVG chart with the same figures in a table.
    visit(desk, f"/p/ekbacken/evaluations/engagements/{big.pk}/")
    expect(desk.locator("figure.chart svg polyline")).to_have_count(4)
    table = desk.locator("table", has=desk.locator("caption", has_text="medelvärde per träff"))
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tbody tr").nth(0)).to_contain_text("6,0")
    expect(table.locator("tbody tr").nth(2)).to_contain_text("9,0")

    # Preview what the client will see, and share it; the small group too.
    for engagement in (big, small):
        visit(desk, f"/p/ekbacken/evaluations/engagements/{engagement.pk}/report/")
        with desk.expect_navigation():
            desk.get_by_role("button", name="Dela med uppdragsgivaren så som den visas").click()
        axe_check(desk)

    # The client contact reads the report and downloads the PDF.
    client_page = new_page()
    login(client_page, world.contact_user.email)
    client_page.get_by_role("link", name="Utvärderingsrapport").click()
    axe_check(client_page)
    report = client_page.locator("table.report").first
    expect(report).to_contain_text("4,0")
    expect(report).not_to_contain_text("1,0")
    client_page.get_by_label("Uppdrag").select_option(label="Ledningsgruppen")
    with client_page.expect_navigation():
        client_page.get_by_role("button", name="Visa").click()
    axe_check(client_page)
    expect(client_page.locator("table.report").first).to_contain_text("färre än 5 svar")
    expect(client_page.locator("table.report").first).not_to_contain_text("1,0")
    client_page.get_by_label("Uppdrag").select_option("")
    with client_page.expect_navigation():
        client_page.get_by_role("button", name="Visa").click()
    axe_check(client_page)
    # The PDF is fetched the way the link would (a click starts a download, which the page
    # guard would count as a request that failed to load).
    href = client_page.get_by_role("link", name="Ladda ner PDF").get_attribute("href")
    assert href is not None
    pdf = client_page.request.get(href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
