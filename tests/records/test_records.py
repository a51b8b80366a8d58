"""The protected room: who can read what, encryption at rest, audit of every read, the case
text guard, and the deadlines and rules around questions, summaries, rota and journal."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from io import StringIO
from urllib.parse import unquote_plus

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.core.identity import find_identity_numbers
from bollplank.core.models import AuditEvent
from bollplank.records import crypto, keys, services
from bollplank.records.models import JournalEntry, PrivateNote, Submission, Summary
from tests import factories as f

P = "ekbacken"
SECRET = "Pia berättade om en svår förälder."


@pytest.fixture(autouse=True)
def _own_keys(monkeypatch):
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode())
    crypto.reset()
    yield
    crypto.reset()


def _note(world, text=SECRET):
    with scope(practice=world.practice):
        return services.note_create(
            actor=world.supervisor, engagement=world.engagement, meeting=world.meeting, body=text
        )


def _future_meeting(world, days=5):
    world.engagement.end_date = clock.today() + dt.timedelta(days=100)
    world.engagement.save()
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=days)
    return f.MeetingFactory(
        engagement=world.engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )


def test_note_is_encrypted_at_rest(world):
    note = _note(world)
    with scopes_disabled():
        stored = PrivateNote.objects.values_list("body_encrypted", flat=True).get(pk=note.pk)
    assert "förälder" not in stored
    assert crypto.decrypt(stored) == SECRET


def test_note_read_by_author_is_audited_with_the_people_it_concerns(client, world):
    _note(world)
    client.force_login(world.supervisor)
    body = client.get(reverse("meeting_notes", args=[P, world.meeting.pk])).content.decode()
    assert SECRET in body
    assert "Bara du kan läsa detta." in body
    event = AuditEvent.objects.filter(action="records.note.read").latest("id")
    assert event.actor == world.supervisor
    assert "förälder" not in str(event.data)
    assert world.participant_user.pk in set(event.subjects.values_list("user_id", flat=True))
    # … and the participant finds the read in their extract.
    client.force_login(world.participant_user)
    extract = client.get(reverse("access_log", args=[P]) + "?format=json").content.decode()
    assert "records.note.read" in extract
    assert "Siv Handledare" in extract


@pytest.mark.parametrize("who", ["admin", "other_supervisor", "contact_user", "participant_user"])
def test_nobody_else_reads_or_writes_notes(client, world, who):
    note = _note(world)
    client.force_login(getattr(world, who))
    for url in (
        reverse("meeting_notes", args=[P, world.meeting.pk]),
        reverse("note_edit", args=[P, note.pk]),
        reverse("engagement_notes", args=[P, world.engagement.pk]),
        reverse("notes_search", args=[P]),
        reverse("notes_search", args=[P]) + "?format=txt",
    ):
        response = client.get(url)
        # A supervisor may open their own (empty) search page; never anyone else's notes.
        if not url.startswith(reverse("notes_search", args=[P])) or who != "other_supervisor":
            assert response.status_code in {403, 404}, url
        assert SECRET not in response.content.decode()
    response = client.post(reverse("notes_search", args=[P]), {"q": "förälder"})
    assert SECRET not in response.content.decode()
    response = client.post(reverse("note_edit", args=[P, note.pk]), {"body": "ändrat"})
    assert response.status_code in {403, 404}
    note.refresh_from_db()
    assert note.body == SECRET


def test_foreign_practice_supervisor_gets_404_for_notes(client, world):
    note = _note(world)
    client.force_login(world.foreign_supervisor)
    assert client.get(reverse("note_edit", args=[P, note.pk])).status_code == 404
    assert client.get(reverse("note_edit", args=["annan", note.pk])).status_code == 404


def test_search_and_export_of_own_notes_are_audited(client, world):
    _note(world)
    _note(world, "Något helt annat")
    client.force_login(world.supervisor)
    found = client.post(reverse("notes_search", args=[P]), {"q": "FÖRÄLDER"}).content.decode()
    assert SECRET in found and "helt annat" not in found
    export = client.get(reverse("notes_search", args=[P]) + "?format=txt")
    assert export["Content-Disposition"].startswith("attachment")
    assert SECRET in export.content.decode() and "helt annat" in export.content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"records.note.searched", "records.note.exported"} <= actions


def _urls_in(page: str) -> list[str]:
    """Every address a page links, loads, posts or asks htmx to fetch, decoded."""
    found = re.findall(r'(?:href|src|action|hx-get|hx-post|formaction)="([^"]*)"', page)
    return [unquote_plus(html.unescape(url)) for url in found]


def test_note_search_words_never_reach_an_address(client, world):
    _note(world)
    client.force_login(world.supervisor)
    url = reverse("notes_search", args=[P])
    page = client.get(url).content.decode()
    # The form posts (with its CSRF token) to the page's own address, words in the body.
    form = re.search(r"<form[^>]*role=\"search\"[^>]*>", page)
    assert form is not None and 'method="post"' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(url, {"q": "svår förälder"})
    assert response.status_code == 200  # shown here, not redirected to an address with them
    body = response.content.decode()
    assert SECRET in body
    assert 'value="svår förälder"' in body  # the query is kept in the field
    assert response["Cache-Control"] == "private, no-store"
    urls = _urls_in(body)
    assert urls
    assert not [u for u in urls if "svår" in u or "förälder" in u or "q=" in u]
    # An old address with the words in it searches nothing and shows nothing of them.
    old = client.get(url + "?q=f%C3%B6r%C3%A4lder").content.decode()
    assert SECRET not in old and 'value="förälder"' not in old


def test_note_search_without_csrf_token_is_refused(world):
    _note(world)
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(world.supervisor)
    response = guarded.post(reverse("notes_search", args=[P]), {"q": "förälder"})
    assert response.status_code == 403
    assert SECRET not in response.content.decode()


def test_note_text_never_reaches_the_logs(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    client.force_login(world.supervisor)
    client.post(reverse("meeting_notes", args=[P, world.meeting.pk]), {"body": SECRET})
    client.get(reverse("meeting_notes", args=[P, world.meeting.pk]))
    assert "förälder" not in caplog.text


def test_one_megabyte_note_is_refused_whole(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("meeting_notes", args=[P, world.meeting.pk]), {"body": "x" * 1_000_000}
    )
    assert response.status_code == 400
    assert "100000" in response.content.decode().replace("\xa0", "").replace(" ", "")
    with scopes_disabled():
        assert PrivateNote.objects.count() == 0


def test_html_in_notes_is_escaped(client, world):
    _note(world, "<script>alert(1)</script>")
    client.force_login(world.supervisor)
    body = client.get(reverse("meeting_notes", args=[P, world.meeting.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_wrong_key_stops_the_start(world, monkeypatch):
    _note(world)
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS", Fernet.generate_key().decode())
    crypto.reset()
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        keys.verify_keys()
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS", "not-a-key")
    crypto.reset()
    with pytest.raises(ImproperlyConfigured, match="malformed"):
        keys.verify_keys()


def test_rotation_reencrypts_and_old_key_can_go(world, monkeypatch, tmp_path):
    old = Fernet.generate_key().decode()
    key_file = tmp_path / "keys"
    key_file.write_text(old + "\n")
    monkeypatch.delenv("BOLLPLANK_NOTE_KEYS")
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS_FILE", str(key_file))
    crypto.reset()
    note = _note(world)
    out = StringIO()
    call_command("rotate_note_key", "--new-key", stdout=out)
    assert "Re-encrypted 1 texts" in out.getvalue()
    new = key_file.read_text().split()[0]
    assert new != old
    key_file.write_text(new + "\n")  # the old key is removed
    crypto.reset()
    with scopes_disabled():
        assert PrivateNote.objects.get(pk=note.pk).body == SECRET


def test_verify_audit_chain_command(world):
    _note(world)
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "whole" in out.getvalue()


# --- case text guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Klienten 19811218-9876 berättade", ["19811218-9876"]),
        ("personnummer 811218-9876.", ["811218-9876"]),
        ("samordningsnummer 811278-9873", ["811278-9873"]),
        ("telefon 070-123 45 67 och 8112189875", []),  # the latter fails the Luhn check
        ("mötet 2026-03-10 kl 09.00", []),
    ],
)
def test_identity_numbers_are_found(text, found):
    assert find_identity_numbers(text) == found


def test_case_text_with_identity_number_needs_confirmation(client, world):
    world.engagement.focus = "case"
    world.engagement.save()
    client.force_login(world.supervisor)
    url = reverse("meeting_notes", args=[P, world.meeting.pk])
    text = "Ärendet gäller 811218-9876."
    first = client.post(url, {"body": text})
    assert first.status_code == 400
    assert "personnummer" in first.content.decode()
    assert 'name="confirmed"' in first.content.decode()
    assert "Ärendet gäller 811218-9876." in first.content.decode()  # nothing lost
    with scopes_disabled():
        assert PrivateNote.objects.count() == 0
    second = client.post(url, {"body": text, "confirmed": "on"})
    assert second.status_code == 302
    with scopes_disabled():
        assert PrivateNote.objects.get().body == text  # saved exactly as written


def test_process_meetings_are_guarded_too(world):
    with pytest.raises(ValidationError) as exc:
        _note(world, "Numret 811218-9876 i en process-träff")
    assert exc.value.error_dict["body"][0].code == "identity_number"


# --- summaries --------------------------------------------------------------------------------


def test_summary_draft_then_published_to_participants_never_the_client(client, world):
    client.force_login(world.supervisor)
    url = reverse("meeting_summary", args=[P, world.meeting.pk])
    client.post(url, {"body": "Vi kom överens om att ta upp rasterna.", "action": "save"})
    client.force_login(world.participant_user)
    assert "rasterna" not in client.get(reverse("participant_home", args=[P])).content.decode()
    client.force_login(world.supervisor)
    client.post(url, {"body": "Vi kom överens om att ta upp rasterna.", "action": "publish"})
    client.force_login(world.participant_user)
    assert "rasterna" in client.get(reverse("participant_home", args=[P])).content.decode()
    assert (
        "rasterna"
        in client.get(reverse("meeting_detail", args=[P, world.meeting.pk])).content.decode()
    )
    client.force_login(world.outsider_participant_user)
    assert "rasterna" not in client.get(reverse("participant_home", args=[P])).content.decode()
    client.force_login(world.contact_user)
    assert "rasterna" not in client.get(reverse("client_home", args=[P])).content.decode()
    client.force_login(world.admin)
    assert client.get(url).status_code == 403
    with scopes_disabled():
        assert Summary.objects.get().published_at is not None


# --- questions sent in ------------------------------------------------------------------------


def _submit(client, world, meeting, text, visibility):
    client.force_login(world.participant_user)
    return client.post(
        reverse("meeting_submit", args=[P, meeting.pk]), {"body": text, "visibility": visibility}
    )


def test_questions_respect_who_may_read_them(client, world):
    meeting = _future_meeting(world)
    assert _submit(client, world, meeting, "Bara till handledaren", "supervisor").status_code == 302
    assert _submit(client, world, meeting, "Till hela gruppen", "group").status_code == 302
    with scopes_disabled():
        other = world.engagement.memberships.exclude(
            participant__user=world.participant_user
        ).first()
        other_user = f.member(world.practice, "participant")
        other.participant.user = other_user
        other.participant.save()
    client.force_login(other_user)
    page = client.get(reverse("meeting_submit", args=[P, meeting.pk])).content.decode()
    assert "Till hela gruppen" in page and "Bara till handledaren" not in page
    client.force_login(world.supervisor)
    agenda = client.get(reverse("meeting_agenda", args=[P, meeting.pk])).content.decode()
    assert agenda.index("Bara till handledaren") < agenda.index("Till hela gruppen")
    with scopes_disabled():
        second = Submission.objects.get(body="Till hela gruppen")
    client.post(
        reverse("meeting_agenda", args=[P, meeting.pk]), {"submission": second.pk, "move": "up"}
    )
    agenda = client.get(reverse("meeting_agenda", args=[P, meeting.pk])).content.decode()
    assert agenda.index("Till hela gruppen") < agenda.index("Bara till handledaren")
    client.force_login(world.outsider_participant_user)
    assert client.get(reverse("meeting_submit", args=[P, meeting.pk])).status_code == 404
    client.force_login(world.contact_user)
    assert client.get(reverse("meeting_agenda", args=[P, meeting.pk])).status_code == 403


def test_questions_after_the_deadline_are_refused(client, world):
    meeting = _future_meeting(world, days=0)  # starts now: the 24 h deadline has passed
    response = _submit(client, world, meeting, "För sent", "supervisor")
    assert response.status_code == 400
    assert "Tiden för att skicka in" in response.content.decode()
    with scopes_disabled():
        assert not Submission.objects.exists()


def test_deadline_is_the_supervisors_setting(world):
    meeting = _future_meeting(world, days=2)
    with scopes_disabled():
        participant = world.engagement.memberships.get(
            participant__user=world.participant_user
        ).participant
    world.engagement.submission_hours_before = 72
    world.engagement.save()
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.submission_create(
            actor=world.participant_user,
            meeting=meeting,
            participant=participant,
            body="Fråga",
            visibility="group",
        )
    assert exc.value.code == "deadline"


# --- case rota --------------------------------------------------------------------------------


def test_rota_is_fair_and_only_for_members(world):
    meetings = [_future_meeting(world, days=d) for d in (7, 14, 21, 28)]
    with scope(practice=world.practice):
        services.rota_apply(actor=world.supervisor, engagement=world.engagement, meetings=meetings)
        owners = [m.case_turn.participant.name for m in meetings]
        outsider = world.other_engagement.memberships.first().participant
        with pytest.raises(ValidationError):
            services.case_turn_set(
                actor=world.supervisor, meeting=meetings[0], participant=outsider
            )
    # Two members, four meetings: each gets two turns, alternating.
    assert owners[0] != owners[1] and owners[:2] == owners[2:]


def test_case_owner_is_reminded_on_the_start_page(client, world):
    meeting = _future_meeting(world)
    with scope(practice=world.practice):
        pia = world.engagement.memberships.get(participant__user=world.participant_user).participant
        services.case_turn_set(actor=world.supervisor, meeting=meeting, participant=pia)
    client.force_login(world.participant_user)
    assert "ärende" in client.get(reverse("participant_home", args=[P])).content.decode()


# --- journal ----------------------------------------------------------------------------------


def test_journal_is_the_authors_alone(client, world):
    client.force_login(world.participant_user)
    client.post(reverse("journal", args=[P]), {"body": "Jag lärde mig att vänta.", "meeting": ""})
    with scopes_disabled():
        entry = JournalEntry.objects.get()
        assert "vänta" not in entry.body_encrypted
    export = client.get(reverse("journal", args=[P]) + "?format=txt").content.decode()
    assert "Jag lärde mig att vänta." in export
    for who in (world.outsider_participant_user, world.supervisor, world.admin):
        client.force_login(who)
        response = client.get(reverse("journal_edit", args=[P, entry.pk]))
        assert response.status_code in {403, 404}
        assert "vänta" not in client.get(reverse("journal", args=[P])).content.decode()
