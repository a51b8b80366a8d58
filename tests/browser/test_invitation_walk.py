"""A new participant goes from the invitation link to their first meeting on a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, ViewportSize, expect

from bollplank.accounts.services import invitation_create
from bollplank.core.roles import Role
from bollplank.engagements.models import GroupMembership
from tests import factories as f
from tests import timecontrol as tc
from tests.browser.conftest import axe_check, visit

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
GOOD = "sommar i skärgården 2026"


def test_new_participant_accepts_invitation_on_a_phone(
    world: Any, new_page: Callable[..., Page]
) -> None:
    with scopes_disabled():
        membership = GroupMembership.objects.get(
            engagement=world.engagement, participant__user__isnull=True
        )
        participant = membership.participant
    start = tc.local(tc.workday_after(5), 9)
    with scope(practice=world.practice):
        f.MeetingFactory(
            engagement=world.engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        _invitation, token = invitation_create(
            actor=world.supervisor,
            practice=world.practice,
            email=participant.email,
            name=participant.name,
            role=Role.PARTICIPANT,
            participant=participant,
        )

    page = new_page(viewport=PHONE)
    visit(page, f"/invitation/{token}/")
    expect(page.locator("h1")).to_contain_text("Välkommen till Ekbacken handledning")

    # A short password: a Swedish error on the field, the name typed is kept.
    page.fill("#id_name", "Ny Deltagare")
    page.fill("#id_password1", "kort")
    page.fill("#id_password2", "kort")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)
    expect(page.locator("#id_password1_error")).to_contain_text("Det här lösenordet är för kort")
    expect(page.locator("#id_name")).to_have_value("Ny Deltagare")

    # A good one: logged in, on their own start page with the meeting ahead.
    page.fill("#id_password1", GOOD)
    page.fill("#id_password2", GOOD)
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    page.wait_for_url("**/p/ekbacken/me/")
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Mina träffar")
    expect(page.locator("#up-h + ul")).to_contain_text("Lärarlaget åk 4–6")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
