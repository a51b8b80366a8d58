"""Write audit events: ``audit(actor, "clients.client.created", obj, data)``.

Tamper evidence in three parts, none of which makes writers wait for each other:

1. Each event carries ``mac``, an HMAC of its content under a key kept outside the database
   (``settings.AUDIT_KEY``): someone who can write to the database but lacks the key cannot
   alter an event, or forge one, so that it verifies.
2. Events are inserted unchained. The sealer (a thread of the task worker, and
   ``verify_audit_chain --seal``) gives them their place ``seq`` (gapless) and
   ``chain = HMAC(key, previous chain || mac)`` in batches: removing, inserting or reordering
   a sealed event breaks every later chain value.
3. Each seal appends a signed checkpoint (seq, chain) to a file outside the database
   (``core.audit_verify``): removing the newest events, or rewriting the chain with the key,
   disagrees with a checkpoint kept elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, models, transaction

from bollplank.core import clock
from bollplank.core.models import AuditEvent, AuditSubject, Practice

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
PRUNED = "core.audit.pruned"
# Any fixed number: the key of the PostgreSQL advisory lock that keeps sealers one at a time.
# Writers of events never take it.
_SEAL_LOCK = 0x420118


def _no_default(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# Compact JSON with sorted keys. The C encoder is made once: verifying ten million events calls
# it ten million times, and json.dumps would build a new one for each.
_slow_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_encoder: Any = (
    _make_encoder(
        None, _no_default, json.encoder.encode_basestring, None, ":", ",", True, False, True
    )
    if _make_encoder is not None
    else None
)


def _dumps(value: Any) -> str:
    if _encoder is None:
        return _slow_dumps(value)
    return "".join(_encoder(value, 0))


def content_at(
    action: str,
    actor_id: int | None,
    practice_id: int | None,
    object_type: str,
    object_id: str,
    when: str,
    data: Any,
    subjects: Sequence[int],
) -> bytes:
    """``content`` with the time already as UTC ISO 8601 text."""
    return _dumps(
        [action, actor_id, practice_id, object_type, object_id, when, data, subjects]
    ).encode()


def content(
    action: str,
    actor_id: int | None,
    practice_id: int | None,
    object_type: str,
    object_id: str,
    created_at: dt.datetime,
    data: Any,
    subjects: Sequence[int],
) -> bytes:
    """The bytes an event's MAC covers: everything but its id and place, in a form that is the
    same on every database (UTC time, JSON with sorted keys, the subjects sorted)."""
    when = created_at.astimezone(dt.UTC).isoformat()
    return content_at(action, actor_id, practice_id, object_type, object_id, when, data, subjects)


def sign(message: bytes, key: bytes | None = None) -> str:
    return hmac.digest(key or settings.AUDIT_KEY, message, "sha256").hex()


def link(prev_chain: str, mac: str, key: bytes | None = None) -> str:
    """The chain value of an event: binds its MAC to every event sealed before it."""
    return sign((prev_chain + mac).encode(), key)


def audit(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    *,
    practice: Practice | None = None,
    subjects: Iterable[int] = (),
) -> AuditEvent:
    """Append one event. Never put confidential text in ``data``: ids and field names only."""
    if practice is None and obj is not None:
        practice = getattr(obj, "practice", None)
        if practice is None and isinstance(obj, Practice):
            practice = obj
    # The MAC covers the data as the database gives it back (string keys, lists for tuples).
    stored = json.loads(json.dumps(data or {}))
    people = sorted({pk for pk in subjects if pk})
    event = AuditEvent(
        practice=practice,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        data=stored,
        created_at=clock.now(),
    )
    event.mac = sign(
        content(
            event.action,
            event.actor_id,
            event.practice_id,
            event.object_type,
            event.object_id,
            event.created_at,
            stored,
            people,
        )
    )
    with transaction.atomic():
        event.save()
        if people:
            AuditSubject.objects.bulk_create(AuditSubject(event=event, user_id=pk) for pk in people)
    return event


# --- sealing ----------------------------------------------------------------------------------


def _lock_sealer() -> None:
    """One sealer at a time; SQLite's IMMEDIATE transactions already serialise."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK])


def _head() -> tuple[int, str]:
    """The place and chain value the next sealed event follows."""
    last = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "chain")
        .first()
    )
    if last is not None:
        return int(last[0] or 0), last[1]
    # Everything sealed was pruned: the chain goes on from the newest prune's marker.
    markers = AuditEvent.objects.filter(action=PRUNED).order_by("-id")
    for data in markers.values_list("data", flat=True):
        if isinstance(data, dict) and "up_to" in data:
            return int(data["up_to"]), str(data["last_chain"])
    return 0, GENESIS


def _write_places(rows: list[tuple[int, str, int]]) -> None:
    """Set (seq, chain) of many events by id: on PostgreSQL copied into a temporary table and
    joined in one UPDATE, on SQLite one prepared statement run for every row."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(f"UPDATE {table} SET seq = %s, chain = %s WHERE id = %s", rows)  # noqa: S608  # nosec B608
            return
        # The session's scratch table, filled with COPY through psycopg's own cursor: one
        # round trip for all the rows.
        raw = cursor.cursor
        raw.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS audit_places "
            "(seq bigint, chain varchar(64), id bigint) ON COMMIT DELETE ROWS"
        )
        with raw.copy("COPY audit_places (seq, chain, id) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS e SET seq = p.seq, chain = p.chain "  # noqa: S608  # nosec B608
            "FROM audit_places AS p WHERE e.id = p.id"
        )
        # Emptied at commit, but a caller's transaction may hold several batches.
        raw.execute("DELETE FROM audit_places")


def seal(*, batch: int = 20_000) -> int:
    """Give every unsealed event its place and chain value, oldest id first, a batch per
    transaction; then append a checkpoint. Returns how many were sealed.

    Call it outside a transaction: the checkpoint must only name what is committed."""
    from bollplank.core.audit_verify import write_checkpoint

    key = settings.AUDIT_KEY
    sealed = 0
    seq, chain = 0, GENESIS
    while True:
        with transaction.atomic():
            _lock_sealer()
            seq, chain = _head()
            todo = list(
                AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .values_list("id", "mac")[:batch]
            )
            rows = []
            for pk, mac in todo:
                seq += 1
                chain = link(chain, mac, key)
                rows.append((seq, chain, pk))
            if rows:
                _write_places(rows)
        sealed += len(rows)
        if len(rows) < batch:
            break
    if sealed:
        write_checkpoint(seq, chain)
    return sealed


def run_sealer(stop: threading.Event, every: float | None = None) -> None:
    """Seal every few seconds until ``stop`` is set: the task worker runs this in a thread."""
    every = every if every is not None else settings.AUDIT_SEAL_SECONDS
    while not stop.is_set():
        try:
            close_old_connections()
            seal()
        except Exception:  # a failed seal is retried next round; the worker must keep going
            logger.exception("Could not seal the audit log")
        stop.wait(every)
    connection.close()


def start_sealer() -> threading.Event:
    """Start the sealing thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_sealer, args=(stop,), name="audit-sealer", daemon=True).start()
    return stop


# --- retention --------------------------------------------------------------------------------


def prune_chain(*, before_id: int) -> int:
    """Delete the oldest events (ids below ``before_id``) for the retention rules, and append an
    event that names the last deleted place and its chain value: the chain then verifies from
    there, and cutting anything but the oldest part still shows."""
    seal()
    with transaction.atomic():
        _lock_sealer()
        newer = (
            AuditEvent.objects.filter(id__gte=before_id, seq__isnull=False)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        sealed = AuditEvent.objects.filter(seq__isnull=False)
        if newer is not None:
            sealed = sealed.filter(seq__lt=newer)
        last = sealed.order_by("-seq").values_list("seq", "chain").first()
        if last is None:
            return 0
        up_to, last_chain = last
        gone = AuditEvent.objects.filter(seq__lte=up_to)
        AuditSubject.objects.filter(event__in=gone.values("id")).delete()
        # A queryset delete: AuditEvent.delete() refuses one by one, on purpose.
        count, _ = gone.delete()
        audit(None, PRUNED, None, {"up_to": up_to, "last_chain": last_chain, "count": count})
    return count
