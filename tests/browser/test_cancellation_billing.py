"""Cancel → confirm → invoice run, in the browser in Swedish: a late cancellation by a
participant is charged 50 % under the engagement's terms, the supervisor's own late cancellation
is not (and offers a replacement meeting). axe checks every page on the way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.billing import services as billing
from bollplank.billing.enums import LineKind, PriceModel
from bollplank.billing.models import InvoiceLine
from bollplank.core import clock
from tests import factories as f
from tests.billing.conftest import settings_for
from tests.browser.conftest import axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P = "ekbacken"


def _cancel(page: Page, meeting: Any, who: str, reason: str, consequence: str) -> None:
    visit(page, f"/p/{P}/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Ställ in träffen").click()
    axe_check(page)
    page.get_by_label(who, exact=True).check()
    page.get_by_label("Skäl").fill(reason)
    page.get_by_role("button", name="Fortsätt").click()
    axe_check(page)
    expect(page.locator("#consequence")).to_contain_text(consequence)
    page.get_by_role("button", name="Bekräfta avbokningen").click()
    axe_check(page)
    expect(page.locator(".messages")).to_contain_text("Träffen är inställd")


def test_late_cancellations_by_cause_in_the_invoice_run(
    world: Any, new_page: Callable[..., Page], live_server: Any, traveller: Any
) -> None:
    settings_for(world.practice)
    with scopes_disabled():
        world.client.invoice_reference = "SOL-4410"
        world.client.save()
        billing.engagement_price_save(
            actor=world.admin,
            engagement=world.engagement,
            model=PriceModel.PER_MEETING,
            amount_ore=400000,
            late_cancellation="part",
            late_cancellation_percent=50,
        )
    soon = clock.now().replace(second=0, microsecond=0) + dt.timedelta(hours=5)
    by_participant, by_supervisor = (
        f.MeetingFactory(
            engagement=world.engagement,
            starts_at=soon + dt.timedelta(hours=h),
            ends_at=soon + dt.timedelta(hours=h + 2),
        )
        for h in (0, 4)
    )

    page = new_page()
    login(page, world.supervisor.email)
    _cancel(
        page,
        by_participant,
        "en deltagare",
        "Pia är sjuk",
        "Räknas som sen avbokning och debiteras 50 %.",
    )
    _cancel(page, by_supervisor, "handledaren", "Handledaren är sjuk", "Debiteras inte.")
    expect(page.get_by_role("link", name="Planera en ersättningsträff")).to_be_visible()

    # A day later both are over; the admin runs the invoicing for the two days.
    traveller.shift(dt.timedelta(days=1))
    admin = new_page()
    login(admin, world.admin.email)
    visit(admin, f"/p/{P}/billing/")
    admin.get_by_role("link", name="Starta en fakturering").click()
    axe_check(admin)
    admin.fill("#id_period_start", (clock.today() - dt.timedelta(days=2)).isoformat())
    admin.fill("#id_period_end", clock.today().isoformat())
    admin.get_by_role("button", name="Skapa fakturautkasten").click()
    axe_check(admin)
    # One draft: half of 4 000 kr plus VAT, for the participant's late cancellation alone.
    expect(admin.locator("main")).to_contain_text("2 500,00 kr")
    # A draft is named by its id, which PostgreSQL does not restart between tests.
    admin.get_by_role("link", name=re.compile(r"^Utkast \d+$")).click()
    axe_check(admin)
    expect(admin.locator("main")).to_contain_text("Sen avbokning, 50 %")

    with scopes_disabled():
        lines = list(
            InvoiceLine.objects.filter(
                meeting__in=[by_participant, by_supervisor], released=False
            ).values_list("meeting_id", "kind", "quantity", "amount_ore")
        )
    assert [(m, k, str(q), a) for m, k, q, a in lines] == [
        (by_participant.pk, LineKind.LATE_CANCELLATION, "0.50", 200000)
    ]
