"""Issue 3, "Done when", walked in the browser in Swedish, one role after another.

Before a case-focused group meeting, Pia sends in one question for the supervisor only and
one for the whole group; the other member sees the group's question and not Pia's private
one. The supervisor Siv orders the agenda, writes a private note (the identity-number guard
warns, she confirms) and publishes a summary. Pia reads the summary on her start page and on
the meeting page, writes in her journal and downloads it. The client contact and the
practice admin try every confidential page by URL and get nothing; the admin's audit log
shows the reads without the text, and Pia's "who has read about me" shows Siv's read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from django.utils import translation
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core import clock
from bollplank.core.audit_labels import LABELS
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from bollplank.engagements.enums import Focus
from bollplank.engagements.models import Participant
from bollplank.records import crypto
from bollplank.records.models import JournalEntry, PrivateNote, Submission
from tests import factories as f
from tests.browser.conftest import axe_check, login, path_of, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SLUG = "ekbacken"
BO = ("Bo Gruppmedlem", "bo@solbacka.se")
PRIVATE_QUESTION = "Hur sätter jag gränser mot en kollega som tar över mina lektioner?"
GROUP_QUESTION = "Hur får vi arbetslaget att prata om stress utan att det blir klagomål?"
PERSONNUMMER = "811218-9876"  # Luhn-valid, on purpose: the guard must notice it
NOTE = f"Ärendet gäller en elev ({PERSONNUMMER}) som gruppen oroar sig för. Pia verkade trött."
SUMMARY = "Vi kom överens om att prova reflekterande team. Ta med ett nytt ärende nästa gång."
JOURNAL = "Jag märkte att jag blev lättad när gruppen tog min fråga på allvar."

ONLY_YOU = "Bara du kan läsa detta."
YOU_AND_GROUP = "Du och gruppen kan läsa detta."
YOU_AND_SUPERVISOR = "Du och handledaren kan läsa detta."


@dataclass
class Room:
    meeting: Any
    meeting_path: str
    bo: Any


@pytest.fixture
def room(world: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Room]:
    """A case-focused group meeting five days ahead; both members of the group can log in."""
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode())
    crypto.reset()
    today = clock.today()
    with scopes_disabled():
        engagement = world.engagement
        engagement.end_date = today + dt.timedelta(days=100)
        engagement.focus = Focus.CASE
        engagement.save()
        start = dt.datetime.combine(today + dt.timedelta(days=5), dt.time(9, 0), STOCKHOLM)
        meeting = f.MeetingFactory(
            engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        bo_user = f.member(world.practice, Role.PARTICIPANT, name=BO[0], email=BO[1])
        bo = Participant.objects.get(
            memberships__engagement=engagement, user__isnull=True, practice=world.practice
        )
        bo.user, bo.name, bo.email = bo_user, BO[0], BO[1]
        bo.save()
    yield Room(meeting, f"/p/{SLUG}/meetings/{meeting.pk}/", bo_user)
    crypto.reset()


def click(page: Page, locator: str) -> None:
    """Follow a link or press a submit button, wait for the next page, check it with axe."""
    with page.expect_navigation():
        page.locator(locator).first.click()
    axe_check(page)


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def test_the_protected_room_holds_for_every_role(
    world: Any, room: Room, new_page: Callable[..., Page]
) -> None:
    meeting_path = room.meeting_path
    submit_path = f"{meeting_path}questions/"
    agenda_path = f"{meeting_path}agenda/"
    notes_path = f"{meeting_path}notes/"
    summary_path = f"{meeting_path}summary/"

    # --- (1) Pia sends in two questions: one for the supervisor, one for the group ----------
    pia = new_page()
    login(pia, world.participant_user.email)
    assert path_of(pia.url) == f"/p/{SLUG}/me/"
    expect(pia.locator("html")).to_have_attribute("lang", "sv")
    click(pia, f"main a[href='{meeting_path}']")
    assert path_of(pia.url) == meeting_path
    click(pia, f"main a[href='{submit_path}']")
    expect(pia.locator("h1")).to_contain_text("Frågor och problembilder")
    expect(pia.locator("main")).to_contain_text("Vem får läsa den")
    expect(pia.locator("input[name=visibility][value=supervisor]")).to_be_checked()
    pia.fill("#id_body", PRIVATE_QUESTION)
    click(pia, "main form button.primary")
    expect(pia.locator(".messages")).to_contain_text("Din fråga är inskickad.")
    pia.fill("#id_body", GROUP_QUESTION)
    pia.check("input[name=visibility][value=group]")
    click(pia, "main form button.primary")
    sent = pia.locator("main article.card")
    expect(sent).to_have_count(2)
    private_card = sent.filter(has_text=PRIVATE_QUESTION)
    group_card = sent.filter(has_text=GROUP_QUESTION)
    expect(private_card).to_contain_text(YOU_AND_SUPERVISOR)
    expect(private_card).not_to_contain_text(YOU_AND_GROUP)
    expect(group_card).to_contain_text(YOU_AND_GROUP)
    with scopes_disabled():
        assert sorted(
            Submission.objects.filter(meeting=room.meeting).values_list("visibility", flat=True)
        ) == ["group", "supervisor"]

    # --- (2) Bo, the other member, sees the group's question and not Pia's private one ------
    bo = new_page()
    login(bo, BO[1])
    assert path_of(bo.url) == f"/p/{SLUG}/me/"
    click(bo, f"main a[href='{meeting_path}']")
    click(bo, f"main a[href='{submit_path}']")
    expect(bo.locator("main article.card")).to_have_count(1)
    shared = bo.locator("main article.card")
    expect(shared).to_contain_text(GROUP_QUESTION)
    expect(shared).to_contain_text(world.participant_user.name)
    expect(shared).to_contain_text(YOU_AND_GROUP)
    assert PRIVATE_QUESTION not in main_text(bo)

    # --- (3) Siv prepares the meeting from the agenda, writes a note, publishes a summary ---
    siv = new_page()
    login(siv, world.supervisor.email)
    assert path_of(siv.url) == f"/p/{SLUG}/"
    visit(siv, meeting_path)
    expect(siv.locator("main")).to_contain_text("Ärende")  # the meeting's focus
    for path, name in (
        (agenda_path, "Dagordning (inskickade frågor)"),
        (notes_path, "Mina privata anteckningar"),
        (summary_path, "Sammanfattning till gruppen"),
    ):
        expect(siv.locator(f"main nav a[href='{path}']")).to_have_text(name)
    click(siv, f"main a[href='{agenda_path}']")
    items = siv.locator("main ol.agenda > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(PRIVATE_QUESTION)
    expect(items.nth(0)).to_contain_text("Bara du (handledaren) och avsändaren kan läsa detta.")
    expect(items.nth(1)).to_contain_text(GROUP_QUESTION)
    expect(items.nth(1)).to_contain_text(YOU_AND_GROUP)
    with siv.expect_navigation():
        items.nth(1).get_by_role("button", name="Flytta upp").click()
    axe_check(siv)
    assert path_of(siv.url) == agenda_path
    expect(items.nth(0)).to_contain_text(GROUP_QUESTION)
    expect(items.nth(1)).to_contain_text(PRIVATE_QUESTION)
    with scopes_disabled():
        assert list(
            Submission.objects.filter(meeting=room.meeting)
            .order_by("position")
            .values_list("visibility", flat=True)
        ) == ["group", "supervisor"]

    visit(siv, notes_path)  # the link is on the meeting page, as checked above
    expect(siv.locator("main .audience")).to_contain_text(ONLY_YOU)
    expect(siv.locator("#id_confirmed")).to_have_count(0)
    siv.fill("#id_body", NOTE)
    click(siv, "main form button.primary")
    # The guard warns and asks; nothing is saved, nothing typed is lost.
    expect(siv.locator("main .error-summary")).to_have_count(1)
    expect(siv.locator("#id_body_error")).to_contain_text("ser ut som ett personnummer")
    expect(siv.locator("#id_body_error")).to_contain_text(PERSONNUMMER)
    expect(siv.locator("#id_body")).to_have_value(NOTE)
    with scopes_disabled():
        assert not PrivateNote.objects.filter(meeting=room.meeting).exists()
    siv.get_by_label("Jag har kontrollerat: texten identifierar ingen").check()
    click(siv, "main form button.primary")
    assert path_of(siv.url) == notes_path
    expect(siv.locator(".messages")).to_contain_text("Anteckningen är sparad.")
    expect(siv.locator("main article.note")).to_have_count(1)
    expect(siv.locator("main article.note")).to_contain_text(NOTE)
    expect(siv.locator("main .audience")).to_contain_text(ONLY_YOU)
    with scopes_disabled():
        stored = PrivateNote.objects.values_list("body_encrypted", flat=True).get(
            meeting=room.meeting
        )
    assert PERSONNUMMER not in stored and "trött" not in stored  # encrypted at rest

    visit(siv, summary_path)
    expect(siv.locator("main .audience")).to_contain_text("aldrig uppdragsgivaren")
    siv.fill("#id_body", SUMMARY)
    click(siv, "main form button[name=action][value=publish]")
    expect(siv.locator(".messages")).to_contain_text("Sammanfattningen är publicerad för gruppen.")
    expect(siv.locator("main .notice")).to_contain_text("Publicerad")
    expect(siv.locator("#id_body")).to_have_value(SUMMARY)

    # --- (4) Pia sees the summary, writes in her journal and downloads it --------------------
    click(pia, f"nav a[href='/p/{SLUG}/me/']")
    summaries = pia.locator("section[aria-labelledby=sum-h]")
    expect(summaries).to_contain_text(SUMMARY)
    expect(summaries.locator(".audience")).to_contain_text(YOU_AND_GROUP)
    click(pia, f"main a[href='{meeting_path}']")
    on_meeting = pia.locator("main section[aria-labelledby=sum-h]")
    expect(on_meeting).to_contain_text(SUMMARY)
    expect(on_meeting).to_contain_text(YOU_AND_GROUP)
    assert NOTE not in main_text(pia) and "trött" not in main_text(pia)
    click(pia, f"main a[href='/p/{SLUG}/journal/?meeting={room.meeting.pk}']")
    expect(pia.locator("main .audience")).to_contain_text(ONLY_YOU)
    chosen = pia.locator("#id_meeting option:checked")
    expect(chosen).to_contain_text(world.engagement.title)
    pia.fill("#id_body", JOURNAL)
    click(pia, "main form button.primary")
    expect(pia.locator(".messages")).to_contain_text("Sparat i din dagbok.")
    entry = pia.locator("main article.card", has_text=JOURNAL)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(world.engagement.title)
    # Fetched with the page's own cookies (a click would start a download, which the page
    # guard counts as an aborted request).
    href = pia.get_by_role("link", name="Ladda ner min dagbok (textfil)").get_attribute("href")
    assert href == "?format=txt"
    download = pia.request.get(f"/p/{SLUG}/journal/{href}")
    assert download.status == 200
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.headers["content-disposition"] == (
        'attachment; filename="min-reflektionsdagbok.txt"'
    )
    exported = download.text()
    assert JOURNAL in exported and world.engagement.title in exported
    with scopes_disabled():
        journal_entry = JournalEntry.objects.get(author=world.participant_user)
        note = PrivateNote.objects.get(meeting=room.meeting)
    # Bo's start page shows the summary too, never Pia's journal.
    click(bo, f"nav a[href='/p/{SLUG}/me/']")
    expect(bo.locator("section[aria-labelledby=sum-h]")).to_contain_text(SUMMARY)
    assert JOURNAL not in main_text(bo)

    # --- (5) the client contact and the practice admin get nothing by URL --------------------
    secrets = (NOTE, "trött", SUMMARY, JOURNAL, PRIVATE_QUESTION, GROUP_QUESTION)
    pages = [
        notes_path,
        f"/p/{SLUG}/notes/{note.pk}/",
        f"/p/{SLUG}/engagements/{world.engagement.pk}/notes/",
        f"/p/{SLUG}/notes/?q=elev",
        summary_path,
        agenda_path,
        submit_path,
        f"/p/{SLUG}/journal/",
        f"/p/{SLUG}/journal/{journal_entry.pk}/",
    ]
    exports = [f"/p/{SLUG}/notes/?format=txt", f"/p/{SLUG}/journal/?format=txt"]
    contact = new_page()
    login(contact, world.contact_user.email)
    assert path_of(contact.url) == f"/p/{SLUG}/client/"
    assert SUMMARY not in main_text(contact)  # the client's start page never shows it
    admin = new_page()
    login(admin, world.admin.email)
    assert path_of(admin.url) == f"/p/{SLUG}/"
    for who, page in (("contact", contact), ("admin", admin)):
        # The refusal page as a person sees it (and axe checks it) …
        response = visit(page, notes_path)
        assert response is not None and response.status in {403, 404}, (who, notes_path)
        assert NOTE not in main_text(page)
        # … and every other door tried with the same cookies, without a page for each.
        for path in pages + exports:
            response = page.request.get(path, max_redirects=0)
            assert response.status in {403, 404}, (who, path, response.status)
            body = response.text()
            for secret in secrets:
                assert secret not in body, (who, path, secret)
    # The admin may open the meeting itself (attendance), but not what was said there.
    visit(admin, meeting_path)
    for secret in secrets:
        assert secret not in main_text(admin)

    # --- (6) the admin's audit log shows who read, not what --------------------------------
    click(admin, f"nav a[href='/p/{SLUG}/settings/']")
    click(admin, f"main a[href='/p/{SLUG}/audit/']")
    expect(admin.locator("h1")).to_have_text("Händelselogg")
    # The log reads in words: the actor's name and what they did, never what was written.
    with translation.override("sv"):
        said = {action: str(LABELS[action]) for action in LABELS}
    reads = admin.locator("main tbody tr", has_text=said["records.note.read"])
    expect(reads.first).to_be_visible()
    expect(reads.filter(has_text=world.supervisor.name).first).to_be_visible()
    for action in (
        "records.submission.created",
        "records.submission.listed",
        "records.note.created",
        "records.summary.published",
        "records.journal.written",
    ):
        expect(admin.locator("main tbody tr", has_text=said[action]).first).to_be_visible()
    log_text = admin.content()
    for secret in (*secrets, PERSONNUMMER):
        assert secret not in log_text, secret
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="records.note.read", actor=world.supervisor)
        for data in AuditEvent.objects.values_list("data", flat=True):
            assert PERSONNUMMER not in str(data) and "trött" not in str(data)

    # --- (7) Pia sees that Siv has read about her ------------------------------------------
    pia.locator("details.account-menu > summary").click()
    click(pia, f"nav a[href='/p/{SLUG}/my-access-log/']")
    expect(pia.locator("h1")).to_have_text("Vem har läst om mig")
    # In words, not the code: "läste de privata anteckningarna om en träff eller ett uppdrag".
    read_rows = pia.locator("main tbody tr", has_text="läste de privata anteckningarna")
    expect(read_rows.first).to_contain_text(world.supervisor.name)
    assert NOTE not in main_text(pia) and "trött" not in main_text(pia)
