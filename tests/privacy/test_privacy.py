"""GDPR (issue 10): export, erasure, retention and the record of processing, built from the
registry every app plugs into."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.accounts.models import User
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.audit_verify import verify_chain
from bollplank.core.models import AuditEvent
from bollplank.core.personal_data_registry import categories
from bollplank.engagements.models import Participant
from bollplank.meetings import services as meeting_services
from bollplank.meetings.models import Attendance, CalendarFeed
from bollplank.privacy import services
from bollplank.records.models import JournalEntry, PrivateNote, Submission
from tests.factories import PASSWORD

HOSTILE = '<script>alert("x")</script> Mitt dagboksord'


def _journal(world, text=HOSTILE):
    with scopes_disabled():
        entry = JournalEntry(practice=world.practice, author=world.participant_user)
        entry.body = text
        entry.save()
    return entry


def _note(world, text="Anteckning om gruppen"):
    with scopes_disabled():
        note = PrivateNote(
            practice=world.practice,
            author=world.supervisor,
            engagement=world.engagement,
            meeting=world.meeting,
        )
        note.body = text
        note.save()
    return note


def _participant(world):
    with scopes_disabled():
        return Participant.objects.get(user=world.participant_user, practice=world.practice)


def test_registry_holds_the_existing_apps():
    keys = {c.key for c in categories()}
    assert {
        "accounts.account",
        "clients.contacts",
        "engagements.participants",
        "meetings.meetings",
        "records.notes",
        "records.journal",
        "records.submissions",
        "records.summaries",
        "billing.invoices",
        "core.audit",
    } <= keys
    # The account goes last in an erasure: other categories still find rows through it.
    assert categories()[-1].key == "accounts.account"


def test_person_downloads_own_data_with_own_journal_decrypted(client, world):
    _journal(world)
    _note(world)  # the supervisor's: never in the participant's export
    client.force_login(world.participant_user)
    page = client.get(reverse("my_data"))
    assert "Ladda ner" in page.content.decode()
    response = client.post(reverse("my_data"), {"format": "json"})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    cats = data["categories"]
    assert [row["text"] for row in cats["records.journal"]["rows"]] == [HOSTILE]
    assert cats["records.notes"]["rows"] == []
    assert cats["accounts.account"]["rows"][0]["email"] == world.participant_user.email
    assert cats["engagements.participants"]["rows"][0]["name"] == _participant(world).name
    html = client.post(reverse("my_data"), {"format": "html"}).content.decode()
    assert "Mitt dagboksord" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(
                action="privacy.person.exported", subjects__user=world.participant_user
            ).count()
            == 2
        )


def test_export_command_withholds_encrypted_texts(world, tmp_path):
    _journal(world)
    call_command("export_person", world.participant_user.email, "--out", str(tmp_path))
    stem = tmp_path / f"bollplank-export-{world.participant_user.pk}"
    data = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    rows = data["categories"]["records.journal"]["rows"]
    assert len(rows) == 1
    assert "dagboksord" not in json.dumps(data)
    assert rows[0]["text"].startswith("[encrypted")
    html = stem.with_suffix(".html").read_text(encoding="utf-8")
    assert "<h1>" in html and "dagboksord" not in html


def test_only_the_person_gets_their_texts_decrypted(world):
    with pytest.raises(PermissionError):
        services.person_export(actor=world.admin, user=world.participant_user, confidential=True)


def test_erasure_pseudonymizes_and_keeps_what_others_rely_on(client, world):
    _journal(world)
    participant = _participant(world)
    with scopes_disabled():
        Submission.objects.create(
            practice=world.practice,
            meeting=world.meeting,
            participant=participant,
            body="Min fråga",
            visibility="supervisor",
        )
        Attendance.objects.create(
            practice=world.practice,
            meeting=world.meeting,
            participant=participant,
            status="present",
        )
        meeting_services.feed_create(user=world.participant_user, practice=world.practice)
    audit(
        world.supervisor, "records.note.read", world.meeting, subjects=[world.participant_user.pk]
    )
    events_before = AuditEvent.objects.count()
    user_pk = world.participant_user.pk

    dry = services.person_erase(actor=None, user=world.participant_user, dry_run=True)
    assert dry["records.journal"] == 1
    with scopes_disabled():
        assert JournalEntry.objects.filter(author_id=user_pk).count() == 1

    call_command("erase_person", world.participant_user.email)

    user = User.objects.get(pk=user_pk)
    assert (user.email, str(user.name), user.is_active, user.has_usable_password()) == (
        f"erased-{user_pk}@invalid.invalid",
        "Borttagen person",
        False,
        False,
    )
    with scopes_disabled():
        assert JournalEntry.objects.filter(author_id=user_pk).count() == 0
        assert Submission.objects.filter(participant=participant).count() == 0
        assert CalendarFeed.objects.filter(user_id=user_pk).count() == 0
        participant.refresh_from_db()
        assert (participant.name, participant.user_id) == ("Borttagen deltagare", None)
        # Attendance stays: the client's counts and invoices rest on it.
        assert Attendance.objects.filter(participant=participant).count() == 1
    # The audit log keeps every event (ids only) and the chain still verifies.
    assert AuditEvent.objects.count() == events_before + 1
    assert verify_chain().ok
    assert not client.login(email="participant@ekbacken.se", password=PASSWORD)


def test_erasing_a_supervisor_removes_notes_keeps_meetings(world):
    _note(world)
    call_command("erase_person", world.supervisor.email)
    with scopes_disabled():
        assert PrivateNote.objects.filter(author=world.supervisor).count() == 0
        world.meeting.refresh_from_db()
        assert world.meeting.supervisor_id == world.supervisor.pk
    assert verify_chain().ok


def _age(model, pk, days):
    with scopes_disabled():
        model.objects.filter(pk=pk).update(
            created_at=clock.now() - dt.timedelta(days=days),
            updated_at=clock.now() - dt.timedelta(days=days),
        )


def test_retention_dry_run_counts_then_run_deletes(world):
    old, new = _journal(world, "gammal"), _journal(world, "ny")
    _age(JournalEntry, old.pk, 40)
    services.retention_rules_set(
        actor=world.admin, practice=world.practice, days={"records.journal": 30}
    )
    dry = [line for line in services.retention_apply(dry_run=True) if line.count]
    assert [(line.category.key, line.count) for line in dry] == [("records.journal", 1)]
    with scopes_disabled():
        assert JournalEntry.objects.count() == 2
    call_command("apply_retention")
    with scopes_disabled():
        assert list(JournalEntry.objects.values_list("pk", flat=True)) == [new.pk]
        assert AuditEvent.objects.filter(action="privacy.retention.applied").count() == 1
    # Another practice's rule does not reach this one.
    assert (
        services.retention_days(world.other_practice, categories_by_key("records.journal")) is None
    )


def categories_by_key(key):
    return next(c for c in categories() if c.key == key)


def test_audit_retention_prunes_the_oldest_part_and_the_chain_verifies(world):
    for i in range(5):
        audit(world.admin, f"test.event.{i}", world.practice)
    keep_from = AuditEvent.objects.order_by("-id")[1]  # the last two stay
    for practice in (world.practice, world.other_practice):
        services.retention_rules_set(actor=None, practice=practice, days={"core.audit": 365})
    later = keep_from.created_at + dt.timedelta(days=365)
    before = AuditEvent.objects.filter(id__lt=keep_from.id).count()
    dry = services.retention_apply(dry_run=True, now=later)
    assert [(x.category.key, x.count) for x in dry if x.category.key == "core.audit"] == [
        ("core.audit", AuditEvent.objects.filter(created_at__lt=keep_from.created_at).count())
    ]
    services.retention_apply(dry_run=False, now=later)
    assert AuditEvent.objects.filter(id__lt=keep_from.id).count() == 0
    assert before > 0
    assert verify_chain().ok
    # Cutting out a later event still shows.
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("id")[1].pk).delete()
    assert not verify_chain().ok


def test_retention_page_saves_rules_and_refuses_bad_input(client, world):
    client.force_login(world.admin)
    url = reverse("privacy_retention", args=["ekbacken"])
    response = client.post(url, {"records.journal": "0", "records.notes": "730"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="730"' in body  # nothing typed is lost
    assert "större än eller lika med 1" in body
    # Inquiries may not be kept forever: the field is required.
    response = client.post(url, {"records.journal": "90", "records.notes": "730", "core.audit": ""})
    assert response.status_code == 200
    assert "Detta fält måste fyllas i" in response.content.decode()
    response = client.post(
        url,
        {
            "records.journal": "90",
            "records.notes": "730",
            "core.audit": "",
            "directory.inquiries": "60",
        },
    )
    assert response.status_code == 302
    with scope(practice=world.practice):
        j = services.retention_days(world.practice, categories_by_key("records.journal"))
        n = services.retention_days(world.practice, categories_by_key("records.notes"))
    assert (j, n) == (90, 730)


def test_processing_record_is_generated_from_the_registry(client, world):
    services.retention_rules_set(
        actor=world.admin, practice=world.practice, days={"records.notes": 730}
    )
    client.force_login(world.admin)
    body = client.get(reverse("privacy_processing", args=["ekbacken"])).content.decode()
    for cat in categories():
        assert str(cat.label)[:1].upper() in body
    assert "730 dagar" in body
    assert body.count("<tr>") == len(categories()) + 1
