"""The audit log's check split into shares of places: each share starts from the stored chain
value of the event before it, so the tampering one walk catches must be caught whichever share,
or which border between shares, it falls in. With ``jobs=2`` the 24 places below are checked as
8 shares of 3 (places 1–3, 4–6, 7–9, …): in this test's transaction one after another, and in
real processes on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from bollplank.accounts.models import User
from bollplank.core.audit import audit, link, seal
from bollplank.core.audit_verify import verify_chain
from bollplank.core.models import AuditEvent, AuditSubject
from tests.core.test_audit import _mac_of

PLACES = 24


def _sealed(person: int, *, checkpoint_every: int | None = None) -> dict[int, AuditEvent]:
    """PLACES sealed events by place; those at odd places name ``person``."""
    for i in range(PLACES):
        audit(None, f"test.share.{i}", data={"i": i}, subjects=[person] if i % 2 == 0 else [])
        if checkpoint_every and (i + 1) % checkpoint_every == 0:
            seal()
    seal()
    return {e.seq: e for e in AuditEvent.objects.filter(seq__isnull=False)}


def _remove(*events: AuditEvent) -> None:
    pks = [e.pk for e in events]
    AuditSubject.objects.filter(event_id__in=pks).delete()
    AuditEvent.objects.filter(pk__in=pks).delete()


def _relink_from(place: int) -> None:
    """What someone holding the key does after editing an event: recompute its MAC and every
    chain value from there on."""
    events = list(AuditEvent.objects.filter(seq__gte=place - 1).order_by("seq"))
    prev = events[0].chain
    for e in events[1:]:
        mac = _mac_of(e.pk)
        prev = link(prev, mac)
        AuditEvent.objects.filter(pk=e.pk).update(mac=mac, chain=prev)


@pytest.fixture
def person(world) -> int:
    return world.participant_user.pk


def test_a_whole_log_verifies_in_shares(person):
    _sealed(person)
    report = verify_chain(jobs=2)
    assert (report.ok, report.sealed, report.unsealed) == (True, PLACES, 0)


@pytest.mark.parametrize("place", [4, 5, 6, 7, PLACES])
def test_altered_data_anywhere_in_a_share_is_caught(person, place):
    events = _sealed(person)
    AuditEvent.objects.filter(pk=events[place].pk).update(data={"i": 99})
    report = verify_chain(jobs=2)
    assert (report.broken_at, report.problems[0].message) == (
        events[place].pk,
        f"Event {events[place].pk} was altered (its MAC does not hold).",
    )


@pytest.mark.parametrize("place", [5, 7, 9])  # inside a share, the first and the last of one
def test_a_removed_subject_is_caught_in_any_share(person, place):
    events = _sealed(person)
    assert AuditSubject.objects.filter(event_id=events[place].pk).delete()[0] == 1
    assert verify_chain(jobs=2).broken_at == events[place].pk


@pytest.mark.parametrize("place", [4, 5, 6])
def test_a_chain_value_changed_in_the_second_share_is_caught(person, place):
    events = _sealed(person)
    AuditEvent.objects.filter(pk=events[place].pk).update(chain=events[place + 1].chain)
    report = verify_chain(jobs=2)
    assert report.broken_at == events[place].pk
    assert "altered or moved" in report.problems[0].message


def test_two_events_swapped_across_a_border_are_caught(person):
    events = _sealed(person)
    a, b = events[6], events[7]  # the last of the second share, the first of the third
    AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
    AuditEvent.objects.filter(pk=b.pk).update(seq=6, chain=a.chain)
    AuditEvent.objects.filter(pk=a.pk).update(seq=7, chain=b.chain)
    report = verify_chain(jobs=2)
    assert (report.broken_at, "altered or moved" in report.problems[0].message) == (b.pk, True)


@pytest.mark.parametrize(
    ("gone", "message", "reported_at"),
    [
        ([5], "Events at places 5–5 are gone.", 6),  # inside the second share
        ([4], "Events at places 4–4 are gone.", 5),  # the first of a share
        ([6], "Events at places 6–6 are gone.", 7),  # the last of a share
        ([6, 7], "Events at places 6–7 are gone.", 8),  # across a border
        ([4, 5, 6], "Events at places 4–6 are gone.", 7),  # a whole share
        ([3, 4, 5, 6, 7], "Events at places 3–7 are gone.", 8),  # a share and both borders
    ],
)
def test_removed_events_are_reported_once_whatever_share_they_were_in(
    person, gone, message, reported_at
):
    events = _sealed(person)
    _remove(*(events[seq] for seq in gone))
    report = verify_chain(jobs=2)
    assert [p.message for p in report.problems] == [message]
    assert report.broken_at == events[reported_at].pk


def test_rewriting_with_the_key_is_caught_by_a_checkpoint_in_a_middle_share(person):
    events = _sealed(person, checkpoint_every=8)  # checkpoints at places 8, 16 and 24
    AuditEvent.objects.filter(pk=events[5].pk).update(data={"i": 99})
    _relink_from(5)
    report = verify_chain(jobs=2)
    assert report.broken_at == events[8].pk
    assert "disagrees with checkpoint" in report.problems[0].message


def test_removing_the_newest_events_is_caught_with_shares(person):
    events = _sealed(person)
    _remove(events[PLACES - 1], events[PLACES])
    report = verify_chain(jobs=2)
    assert "newest events are gone" in report.problems[0].message


def test_an_altered_unsealed_event_is_caught_with_shares(person):
    _sealed(person)
    loose = audit(None, "test.share.loose", data={"i": 1})
    AuditEvent.objects.filter(pk=loose.pk).update(object_id="7")
    report = verify_chain(jobs=2)
    assert (report.broken_at, report.sealed, report.unsealed) == (loose.pk, PLACES, 0)


def test_data_that_is_not_json_is_caught(person):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL keeps the data as jsonb: it cannot hold anything but JSON")
    events = _sealed(person)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")  # as someone editing the file
        for text in ('{"i": 3} trailing', "{"):
            cursor.execute(
                "UPDATE core_auditevent SET data = %s WHERE id = %s", [text, events[4].pk]
            )
            report = verify_chain(jobs=2)
            assert (report.broken_at, report.problems[0].message) == (
                events[4].pk,
                f"Event {events[4].pk} was altered (its data is not JSON).",
            )
        cursor.execute("PRAGMA ignore_check_constraints = OFF")


@pytest.mark.django_db(transaction=True)
def test_processes_catch_a_break_in_the_middle_of_the_second_share():
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory test database of SQLite is not shared with other processes")
    person = User.objects.create_user(email="shares@example.org", password=None)
    events = _sealed(person.pk)
    report = verify_chain(jobs=2)
    assert (report.ok, report.sealed) == (True, PLACES)
    AuditEvent.objects.filter(pk=events[5].pk).update(chain=events[6].chain)
    _remove(events[14])
    loose = audit(None, "test.share.loose")
    AuditEvent.objects.filter(pk=loose.pk).update(action="test.share.changed")
    report = verify_chain(jobs=2)
    assert [(p.event_id, p.message) for p in report.problems] == [
        (events[5].pk, f"The chain breaks at event {events[5].pk} (place 5): altered or moved."),
        (events[15].pk, "Events at places 14–14 are gone."),
        (loose.pk, f"Event {loose.pk} was altered (its MAC does not hold)."),
    ]
