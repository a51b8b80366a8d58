"""The audit log's tamper evidence: each attack is performed on the database (and the
checkpoint files) as someone with database access would, and ``verify_chain`` must catch it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import signal
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from bollplank import settings as project_settings
from bollplank.core.audit import (
    GENESIS,
    audit,
    content,
    link,
    prune_chain,
    run_sealer,
    seal,
    sign,
)
from bollplank.core.audit_verify import verify_chain
from bollplank.core.models import AuditEvent, AuditSubject


def _events(world, n: int) -> list[AuditEvent]:
    return [
        audit(
            world.admin,
            f"test.event.{i}",
            world.practice,
            {"i": i},
            subjects=[world.participant_user.pk],
        )
        for i in range(n)
    ]


def _checkpoint_lines() -> list[dict]:
    folder = Path(settings.AUDIT_CHECKPOINT_DIR)
    return [
        json.loads(line)
        for p in sorted(folder.glob("*.jsonl"))
        for line in p.read_text().splitlines()
    ]


def _mac_of(pk: int, key: bytes | None = None) -> str:
    """The MAC of event ``pk`` as stored now, under ``key`` (the audit key unless given)."""
    e = AuditEvent.objects.get(pk=pk)
    people = sorted(AuditSubject.objects.filter(event=e).values_list("user_id", flat=True))
    return sign(
        content(
            e.action,
            e.actor_id,
            e.practice_id,
            e.object_type,
            e.object_id,
            e.created_at,
            e.data,
            people,
        ),
        key,
    )


def _rechain(key: bytes | None, plain: bool = False) -> None:
    """What an attacker does after editing an event: recompute every MAC and chain value."""
    prev = GENESIS
    for e in AuditEvent.objects.filter(seq__isnull=False).order_by("seq"):
        if plain:
            people = sorted(AuditSubject.objects.filter(event=e).values_list("user_id", flat=True))
            raw = content(
                e.action,
                e.actor_id,
                e.practice_id,
                e.object_type,
                e.object_id,
                e.created_at,
                e.data,
                people,
            )
            mac = hashlib.sha256(raw).hexdigest()
            chain = hashlib.sha256((prev + mac).encode()).hexdigest()
        else:
            mac = _mac_of(e.pk, key)
            chain = link(prev, mac, key)
        AuditEvent.objects.filter(pk=e.pk).update(mac=mac, chain=chain)
        prev = chain


def test_sealing_gives_gapless_places_and_a_signed_checkpoint(world):
    events = _events(world, 5)
    assert AuditEvent.objects.filter(seq__isnull=False).count() == 0  # written unchained
    total = AuditEvent.objects.count()
    assert seal(batch=2) == total
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    newest = AuditEvent.objects.get(pk=events[-1].pk)
    assert [(c["seq"], c["chain"]) for c in _checkpoint_lines()] == [(newest.seq, newest.chain)]
    report = verify_chain()
    assert (report.ok, report.sealed, report.unsealed, report.checkpoints) == (True, total, 0, 1)
    assert seal() == 0  # nothing new: no new checkpoint either
    assert len(_checkpoint_lines()) == 1


def test_deleting_the_newest_events_is_caught_by_the_checkpoint(world):
    events = _events(world, 4)
    seal()
    AuditSubject.objects.filter(event_id__in=[e.pk for e in events[-2:]]).delete()
    AuditEvent.objects.filter(pk__in=[e.pk for e in events[-2:]]).delete()
    report = verify_chain()
    assert not report.ok
    assert "newest events are gone" in report.problems[0].message


def test_rewriting_an_event_and_recomputing_with_plain_sha_is_caught(world):
    events = _events(world, 4)
    seal()
    AuditEvent.objects.filter(pk=events[1].pk).update(action="test.innocent")
    _rechain(None, plain=True)
    assert verify_chain().broken_at is not None


def test_rewriting_an_event_and_recomputing_with_another_key_is_caught(world):
    events = _events(world, 4)
    seal()
    AuditEvent.objects.filter(pk=events[1].pk).update(data={"i": 99})
    _rechain(b"x" * 32)
    report = verify_chain()
    assert not report.ok
    assert report.broken_at is not None


def test_rewriting_with_the_key_is_caught_by_an_earlier_checkpoint(world):
    events = _events(world, 4)
    seal()
    AuditEvent.objects.filter(pk=events[1].pk).update(data={"i": 99})
    _rechain(settings.AUDIT_KEY)
    report = verify_chain()
    assert not report.ok
    assert "disagrees with checkpoint" in report.problems[0].message


def test_deleting_a_middle_event_leaves_a_gap(world):
    events = _events(world, 4)
    seal()
    AuditSubject.objects.filter(event_id=events[1].pk).delete()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    report = verify_chain()
    assert "are gone" in report.problems[0].message


def test_reordering_sealed_events_is_caught(world):
    events = _events(world, 4)
    seal()
    a, b = (AuditEvent.objects.get(pk=e.pk) for e in events[1:3])
    AuditEvent.objects.filter(pk=a.pk).update(seq=-1)
    AuditEvent.objects.filter(pk=b.pk).update(seq=a.seq, chain=a.chain)
    AuditEvent.objects.filter(pk=a.pk).update(seq=b.seq, chain=b.chain)
    report = verify_chain()
    assert report.broken_at == b.pk
    assert "altered or moved" in report.problems[0].message


def test_altering_an_unsealed_event_is_caught_by_its_mac(world):
    events = _events(world, 2)
    AuditEvent.objects.filter(pk=events[0].pk).update(object_id="42")
    report = verify_chain()
    assert report.broken_at == events[0].pk
    assert "MAC does not hold" in report.problems[0].message


def test_removing_a_subject_is_caught_by_the_mac(world):
    events = _events(world, 2)
    seal()
    AuditSubject.objects.filter(event_id=events[0].pk).delete()
    assert verify_chain().broken_at == events[0].pk


def test_a_forged_checkpoint_line_is_caught(world):
    _events(world, 2)
    seal()
    line = _checkpoint_lines()[0]
    forged = {**line, "seq": line["seq"] - 1}
    path = next(Path(settings.AUDIT_CHECKPOINT_DIR).glob("*.jsonl"))
    path.write_text(json.dumps(forged) + "\n")
    report = verify_chain()
    assert "damaged or forged" in report.problems[0].message


def test_prune_then_verify_is_whole_and_a_later_cut_still_shows(world):
    events = _events(world, 5)
    seal()
    before = AuditEvent.objects.filter(pk__lt=events[3].pk).count()
    assert prune_chain(before_id=events[3].pk) == before
    assert not AuditEvent.objects.filter(pk__lt=events[3].pk).exists()
    seal()
    assert verify_chain().ok
    marker = AuditEvent.objects.get(action="core.audit.pruned")
    assert set(marker.data) == {"up_to", "last_chain", "count"}
    AuditSubject.objects.filter(event_id=events[3].pk).delete()
    AuditEvent.objects.filter(pk=events[3].pk).delete()
    assert not verify_chain().ok


def test_removing_the_oldest_events_without_a_marker_is_caught(world):
    _events(world, 3)
    seal()
    first = AuditEvent.objects.order_by("seq").first()
    AuditSubject.objects.filter(event_id=first.pk).delete()
    AuditEvent.objects.filter(pk=first.pk).delete()
    assert "oldest events" in verify_chain().problems[0].message


def test_events_left_unsealed_for_long_warn(world, traveller):
    _events(world, 1)
    traveller.shift(dt.timedelta(minutes=11))
    report = verify_chain()
    assert report.ok
    assert "not sealed yet" in report.warnings[0]


def test_verify_command_seals_first_and_fails_loudly(world):
    events = _events(world, 2)
    out = io.StringIO()
    call_command("verify_audit_chain", "--seal", stdout=out)
    assert "0 waiting to be sealed" in out.getvalue()
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0
    AuditEvent.objects.filter(pk=events[0].pk).update(action="test.changed")
    with pytest.raises(CommandError, match="altered"):
        call_command("verify_audit_chain")


@pytest.mark.parametrize(
    ("value", "key"),
    [("ab" * 32, b"\xab" * 32), ("q" * 43, None), ("ab" * 8, "short"), ("not a key!", "bad")],
)
def test_audit_key_is_read_as_hex_or_base64(monkeypatch, value, key):
    monkeypatch.setenv("BOLLPLANK_AUDIT_KEY", value)
    if key in ("short", "bad"):
        with pytest.raises(ImproperlyConfigured):
            project_settings._audit_key()
    elif key is None:
        assert len(project_settings._audit_key()) == 32
    else:
        assert project_settings._audit_key() == key


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_wait_for_each_other():
    """Two transactions write audit events at once; on PostgreSQL neither waits for the other
    (SQLite serialises every writer by design)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    first_wrote, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                audit(None, "test.first")
                first_wrote.set()
                # Holds its transaction open until the second has committed.
                assert second_done.wait(10), "the second writer was blocked"
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_wrote.wait(10)
            with transaction.atomic():
                audit(None, "test.second")
            second_done.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"test.first", "test.second"}
    seal()
    assert verify_chain().ok


class _Once(threading.Event):
    """A stop signal that stops the sealer after its first round."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


@pytest.mark.django_db(transaction=True)
def test_the_workers_sealer_seals_new_events_and_writes_a_checkpoint():
    audit(None, "test.one")
    audit(None, "test.two")
    run_sealer(_Once(), every=0)
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == [1, 2]
    assert [line["seq"] for line in _checkpoint_lines()] == [2]
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_verifying_in_several_processes_finds_the_same():
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory test database of SQLite is not shared with other processes")
    events = [audit(None, f"test.{i}", data={"i": i}) for i in range(6)]
    seal()
    assert verify_chain(jobs=2).ok
    AuditEvent.objects.filter(pk=events[4].pk).update(data={"i": 40})
    report = verify_chain(jobs=2)
    assert (report.ok, report.broken_at) == (False, events[4].pk)


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_seals_the_audit_log(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    audit(None, "test.one")
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1]
    assert verify_chain().ok


@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_the_processes_never_share_a_connection_the_parent_could_not_close():
    """As after a close inside a transaction, Django keeps this process's connection open on
    close(): the forked processes must not talk over it (they waited for each other's answers
    for ever, or found each other's cursors)."""
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory test database of SQLite is not shared with other processes")
    for i in range(6):
        audit(None, f"test.{i}", data={"i": i})
    seal()
    connection.ensure_connection()
    connection.closed_in_transaction = True
    try:
        assert verify_chain(jobs=2).ok
    finally:
        connection.closed_in_transaction = False
