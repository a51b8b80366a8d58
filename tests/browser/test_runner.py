"""Issue 4, "Done when", walked in the browser in Swedish.

Siv copies the shipped reflecting team and sets every step to a few seconds, starts it for
today's group meeting with Pia (from the case rota) as case owner, and drives it from the
keyboard: pauses, extends a step, skips, reloads mid-run, lets a step run out, Bo passes in the
reflecting round, the network drops and comes back, and a second screen is told that the run
is already going and that it acted on an old state. At the end Pia's takeaway is saved, and
Pia finds it in her own journal. axe checks every page, the runner in each of its states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.accounts.enums import Role
from bollplank.engagements.models import Participant
from bollplank.facilitation.models import Run
from bollplank.records import crypto
from bollplank.records.models import CaseTurn, JournalEntry
from tests import factories as f
from tests.browser.conftest import axe_check, guard_of, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SLUG = "ekbacken"
TAKEAWAY = "Jag behöver inte ha alla svar själv."
NEXT_STEP = "Fråga kollegan hur hen ser på saken, på måndag."


@pytest.fixture
def meeting(world: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Today's group meeting; Bo (the other member) can log in; Pia has the case on the rota."""
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode())
    crypto.reset()
    today = timezone.localdate()
    with scopes_disabled():
        engagement = world.engagement
        engagement.end_date = today + dt.timedelta(days=100)
        engagement.save()
        start = dt.datetime.combine(today, dt.time(23, 0), STOCKHOLM)
        meeting = f.MeetingFactory(
            engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(minutes=59)
        )
        bo_user = f.member(world.practice, Role.PARTICIPANT, name="Bo Gruppmedlem")
        bo = Participant.objects.get(
            memberships__engagement=engagement, user__isnull=True, practice=world.practice
        )
        bo.user, bo.name = bo_user, "Bo Gruppmedlem"
        bo.save()
        pia = Participant.objects.get(user=world.participant_user)
        CaseTurn.objects.create(practice=world.practice, meeting=meeting, participant=pia)
        meeting.pia_pk = pia.pk
    yield meeting
    crypto.reset()


def click(page: Page, locator: str) -> None:
    with page.expect_navigation():
        page.locator(locator).first.click()
    axe_check(page)


def clock_seconds(page: Page) -> int:
    text = page.locator("#clock").inner_text().lstrip("+")
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def make_short_model(page: Page) -> None:
    """Copy the shipped reflecting team and give every step three seconds, as a leader would."""
    visit(page, f"/p/{SLUG}/models/")
    click(page, "a:text-is('Reflekterande team')")
    click(page, "button:has-text('Kopiera för att ändra')")
    page.fill("#id_name", "Reflekterande team, kort")
    for i in range(5):
        page.fill(f"#id_steps-{i}-time", "0:03")
    click(page, "button:text-is('Spara')")
    expect(page.locator("main")).to_contain_text("Samtalsmodellen är sparad.")


def test_a_leader_runs_a_reflecting_team_from_start_to_end(
    world: Any, meeting: Any, new_page: Callable[..., Page]
) -> None:
    runner_path = f"/p/{SLUG}/meetings/{meeting.pk}/run/"
    siv = new_page()
    login(siv, "siv@ekbacken.se")
    make_short_model(siv)

    # Start from the meeting's page: Pia is proposed from the rota, Siv leads.
    visit(siv, f"/p/{SLUG}/meetings/{meeting.pk}/")
    click(siv, "a:has-text('Starta en samtalsmodell')")
    expect(siv.locator("#id_case_owner")).to_have_value(str(meeting.pia_pk))
    siv.select_option("#id_model", label="Reflekterande team, kort (Svenska)")
    click(siv, "main form button.primary")
    assert siv.url.endswith(runner_path)
    expect(siv.locator("#step-name")).to_have_text("Presentation")
    expect(siv.locator("#step-speaker")).to_have_text("Talar: ärendeägaren")

    # Pause with the space bar: the clock stands still.
    siv.locator("body").press("Space")
    expect(siv.locator("#clock-note")).to_have_text("Pausad")
    frozen = siv.locator("#clock").inner_text()
    siv.wait_for_timeout(1500)
    assert siv.locator("#clock").inner_text() == frozen
    axe_check(siv)
    siv.keyboard.press("Space")
    # Extend the presentation by a minute with "+".
    siv.keyboard.press("+")
    assert clock_seconds(siv) > 55
    # Skip the rest of it.
    siv.keyboard.press("ArrowRight")
    expect(siv.locator("#step-name")).to_have_text("Klargörande frågor")
    expect(siv.locator("#step-progress")).to_have_text("Steg 2 av 5")

    # A second screen: starting again is refused and it lands in the running run.
    other = new_page()
    login(other, "siv@ekbacken.se")
    visit(other, f"/p/{SLUG}/meetings/{meeting.pk}/run/start/")
    # The start page redirected to the runner with a message.
    assert other.url.endswith(runner_path)
    expect(other.locator(".messages")).to_contain_text("redan igång")
    expect(other.locator("#step-name")).to_have_text("Klargörande frågor")

    # Reload mid-run: the run is where it was, and the time runs out on its own.
    with siv.expect_navigation():
        siv.reload()
    axe_check(siv)
    expect(siv.locator("#step-name")).to_have_text("Klargörande frågor")
    expect(siv.locator("#clock-note")).to_have_text("Tiden är ute", timeout=6000)
    axe_check(siv)

    # The first screen moves on; the second, acting on the old state at once, is told.
    siv.keyboard.press("ArrowRight")
    expect(siv.locator("#step-name")).to_have_text("Bekräftande återkoppling")
    _wait_for_server(meeting, version=6)
    other.keyboard.press("Space")
    # Told either way: its action is refused (409) or, if its poll came first, it follows.
    expect(other.locator("#runner-alert")).to_contain_text("En annan skärm")
    expect(other.locator("#step-name")).to_have_text("Bekräftande återkoppling")
    axe_check(other)
    other.close()

    # The reflecting round: Pia (case owner) listens; Bo has the turn and passes.
    siv.keyboard.press("ArrowRight")
    expect(siv.locator("#step-name")).to_have_text("Reflekterande runda")
    expect(siv.locator("#round-list li.current")).to_have_text("Bo Gruppmedlem")
    axe_check(siv)
    siv.keyboard.press("p")
    expect(siv.locator("#round-list li")).to_have_text(["Bo Gruppmedlem – passade"])

    # The network drops: the leader carries on; the change is sent when it is back.
    _wait_for_server(meeting, version=8)
    siv.context.set_offline(True)
    siv.keyboard.press("ArrowRight")
    expect(siv.locator("#step-name")).to_have_text("Ärendeägaren sammanfattar")
    expect(siv.locator("#runner-net")).to_contain_text("Inget nät", timeout=8000)
    siv.context.set_offline(False)
    expect(siv.locator("#runner-net")).to_have_text("", timeout=10000)
    _wait_for_server(meeting, version=9)
    # The request that failed while offline was the point of the exercise, not a broken asset.
    guard = guard_of(siv)
    guard.broken_assets = [a for a in guard.broken_assets if not a.endswith("/run/act/")]

    # The last step ends the conversation: the takeaway form, in Pia's own words.
    with siv.expect_navigation():
        siv.keyboard.press("ArrowRight")
    axe_check(siv)
    expect(siv.locator("main h1")).to_have_text("Samtalet är avslutat.")
    siv.fill("#id_takeaway", TAKEAWAY)
    siv.fill("#id_next_step", NEXT_STEP)
    click(siv, "button:has-text('Spara i Pia Deltagares reflektionsdagbok')")
    expect(siv.locator(".messages")).to_contain_text("Sparat i Pia Deltagares reflektionsdagbok")

    with scopes_disabled():
        run = Run.objects.get(meeting=meeting)
        used = [s["used"] for s in run.plan]
        assert run.status == "finished"
        assert run.passes == [[3, Participant.objects.get(name="Bo Gruppmedlem").pk]]
        assert all(isinstance(u, int) for u in used)
        assert used[1] >= 3  # the step that ran out was used to its end
        entry = JournalEntry.objects.get()
        assert entry.author == world.participant_user

    # Pia logs in and finds it in her journal; nobody else's journal has it.
    pia = new_page()
    login(pia, "pia@solbacka.se")
    visit(pia, f"/p/{SLUG}/journal/")
    expect(pia.locator("main")).to_contain_text(TAKEAWAY)
    expect(pia.locator("main")).to_contain_text(NEXT_STEP)


def _wait_for_server(meeting: Any, *, version: int, timeout: float = 20.0) -> None:
    """Until the run on the server has reached ``version`` (the screen's queue is sent)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with scopes_disabled():
            if Run.objects.get(meeting=meeting).version >= version:
                return
        time.sleep(0.1)
    with scopes_disabled():
        reached = Run.objects.get(meeting=meeting).version
    raise AssertionError(f"the run never reached version {version}: it is at {reached}")
