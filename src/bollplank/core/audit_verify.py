"""Checkpoints of the audit chain outside the database, and the check of the whole log.

Each seal appends a line ``{"seq", "chain", "at", "mac"}`` to
``settings.AUDIT_CHECKPOINT_DIR/checkpoints-<YYYY-MM-DD>.jsonl``, the line itself signed with the
audit key. Kept on other storage than the database, they show what the chain alone cannot: that
the newest events were removed, or that someone holding the key rewrote the chain.
"""

from __future__ import annotations

import datetime as dt
import hmac
import itertools
import json
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from bollplank.core import clock
from bollplank.core.audit import GENESIS, PRUNED, _dumps, content_at, sign
from bollplank.core.models import AuditEvent, AuditSubject

# Events should be sealed within seconds; older unsealed ones mean the sealer is not running.
UNSEALED_WARNING = dt.timedelta(minutes=10)
_CHUNK = 20_000
_names = itertools.count()
_decoder = json.JSONDecoder()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    chain: str
    at: str
    where: str


@dataclass(frozen=True)
class Problem:
    message: str
    event_id: int | None = None


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sealed: int = 0
    unsealed: int = 0
    checkpoints: int = 0
    oldest_unsealed: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_at(self) -> int | None:
        """The id of the first event a problem names, if any does."""
        return next((p.event_id for p in self.problems if p.event_id is not None), None)


def _checkpoint_body(seq: int, chain: str, at: str) -> bytes:
    return _dumps({"seq": seq, "chain": chain, "at": at}).encode()


def write_checkpoint(seq: int, chain: str, *, now: dt.datetime | None = None) -> Path:
    """Append a signed checkpoint of the chain's head; synced to disk before returning."""
    now = (now or clock.now()).astimezone(dt.UTC)
    at = now.isoformat()
    line = {"seq": seq, "chain": chain, "at": at, "mac": sign(_checkpoint_body(seq, chain, at))}
    folder = Path(settings.AUDIT_CHECKPOINT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoints-{now:%Y-%m-%d}.jsonl"
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return path


def load_checkpoints(report: Report) -> list[Checkpoint]:
    """Every checkpoint whose signature holds; a line that does not is a problem."""
    folder = Path(settings.AUDIT_CHECKPOINT_DIR)
    found: list[Checkpoint] = []
    for path in sorted(folder.glob("checkpoints-*.jsonl")) if folder.is_dir() else []:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                line = json.loads(raw)
                seq, chain, at = int(line["seq"]), str(line["chain"]), str(line["at"])
                good = hmac.compare_digest(str(line["mac"]), sign(_checkpoint_body(seq, chain, at)))
            except (ValueError, KeyError, TypeError):
                good = False
            if not good:
                report.problems.append(
                    Problem(f"Checkpoint {where} is damaged or forged (its MAC does not hold).")
                )
                continue
            found.append(Checkpoint(seq, chain, at, where))
    report.checkpoints = len(found)
    return found


def _start(first_seq: int) -> str | None:
    """The chain value the oldest kept event follows: genesis, or a prune marker's."""
    if first_seq == 1:
        return GENESIS
    for data in AuditEvent.objects.filter(action=PRUNED).values_list("data", flat=True):
        if isinstance(data, dict) and data.get("up_to") == first_seq - 1:
            return str(data.get("last_chain"))
    return None


def _check_chain(report: Report, checkpoints: list[Checkpoint]) -> None:
    key = settings.AUDIT_KEY
    expected: dict[int, list[Checkpoint]] = {}
    for point in checkpoints:
        expected.setdefault(point.seq, []).append(point)
    rows = _stream(
        f"SELECT id, seq, mac, chain FROM {_table(AuditEvent)} "  # noqa: S608  # nosec B608
        "WHERE seq IS NOT NULL ORDER BY seq"
    )
    prev: str | None = None
    next_seq = 0
    for pk, place, mac, chain in rows:
        seq = int(place or 0)  # never null here: only sealed events
        if prev is None:
            next_seq = seq
            prev = _start(seq)
            if prev is None:
                report.problems.append(
                    Problem(f"The oldest events before place {seq} were removed.", pk)
                )
                return
        if seq != next_seq:
            report.problems.append(Problem(f"Events at places {next_seq}–{seq - 1} are gone.", pk))
            return
        if chain != hmac.digest(key, (prev + mac).encode(), "sha256").hex():
            report.problems.append(
                Problem(f"The chain breaks at event {pk} (place {seq}): altered or moved.", pk)
            )
            return
        for point in expected.get(seq, ()):
            if point.chain != chain:
                report.problems.append(
                    Problem(
                        f"Event {pk} (place {seq}) disagrees with checkpoint {point.where}.", pk
                    )
                )
                return
        prev = chain
        next_seq += 1
        report.sealed += 1
    last_seq = next_seq - 1
    for point in checkpoints:
        if point.seq > last_seq:
            report.problems.append(
                Problem(
                    f"The newest events are gone: checkpoint {point.where} ({point.at}) names "
                    f"place {point.seq}, the log ends at {last_seq}."
                )
            )
            return


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _stream(sql: str) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` a chunk at a time; on PostgreSQL from a server-side cursor, so that
    ten million rows never sit in memory. Call inside a transaction."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        # Named by process too: the processes of a parallel check are forked with the same count.
        cursor = connection.connection.cursor(name=f"audit_verify_{os.getpid()}_{next(_names)}")
    else:
        cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_CHUNK):
            yield from rows
    finally:
        cursor.close()


def _utc_text(value: Any) -> str:
    """A stored time as the UTC ISO 8601 text ``content`` uses. SQLite keeps UTC without a
    zone (text, or a naive datetime through Django's converter); PostgreSQL gives it aware."""
    if isinstance(value, str):
        if value.endswith(".000000"):
            value = value[:-7]  # isoformat() leaves out a zero fraction
        return value.replace(" ", "T") + "+00:00"
    if value.tzinfo is None:
        return str(value.isoformat()) + "+00:00"
    return str(value.astimezone(dt.UTC).isoformat())


def _check_macs(
    report: Report, now: dt.datetime, lo: int | None = None, hi: int | None = None
) -> None:
    """Check the MAC of every event (with ids from ``lo`` to ``hi``, if given)."""
    key = settings.AUDIT_KEY
    part = "" if lo is None else f" WHERE id BETWEEN {int(lo)} AND {int(hi or 0)}"
    subjects_part = "" if lo is None else f" WHERE event_id BETWEEN {int(lo)} AND {int(hi or 0)}"
    # The time as text, read by the database: converting ten million datetimes in Python
    # costs more than everything else per row.
    at_sql = (
        """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')"""
        if connection.vendor == "postgresql"
        else "CAST(created_at AS TEXT)"
    )
    rows = _stream(
        f"SELECT id, action, actor_id, practice_id, object_type, object_id, {at_sql}, data, "  # noqa: S608  # nosec B608
        f"mac, seq FROM {_table(AuditEvent)}{part} ORDER BY id"
    )
    subjects = _stream(
        f"SELECT event_id, user_id FROM {_table(AuditSubject)}{subjects_part} "  # noqa: S608  # nosec B608
        "ORDER BY event_id, user_id"
    )
    pending: Any = next(subjects, None)
    stale = _utc_text(now - UNSEALED_WARNING)
    scan: Any = _decoder.scan_once  # type: ignore[attr-defined]
    for pk, action, actor, practice, otype, oid, at, data, mac, seq in rows:
        people = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                people.append(pending[1])
            pending = next(subjects, None)
        when = _utc_text(at)
        value = scan(data, 0)[0] if isinstance(data, str) else data
        message = content_at(action, actor, practice, otype, oid, when, value, people)
        if mac != hmac.digest(key, message, "sha256").hex():
            report.problems.append(Problem(f"Event {pk} was altered (its MAC does not hold).", pk))
            return
        if seq is None:
            report.unsealed += 1
            if when < stale and (report.oldest_unsealed or "~") > when:
                report.oldest_unsealed = when


# The connection objects a forked process found: kept, never used nor closed (closing one, even
# by letting it be collected, would end the parent's session if it still held it).
_INHERITED: list[Any] = []


def _check_range(job: tuple[int, int, dt.datetime]) -> Report:
    """One process's share of the MAC checks, on a connection of its own: a new connection
    object, whatever state the forked parent's was in (the parent closes its connection before
    forking, but a connection Django kept after a close inside a transaction stays open, and
    two processes talking over one socket wait for each other's answers for ever)."""
    _INHERITED.append(connections[DEFAULT_DB_ALIAS])
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    part = Report()
    with transaction.atomic():
        _check_macs(part, job[2], job[0], job[1])
    connection.close()
    return part


def _check_macs_in_parallel(
    report: Report, checkpoints: list[Checkpoint], now: Any, jobs: int
) -> None:
    """The MAC checks split by id over ``jobs`` processes while this one walks the chain."""
    bounds = AuditEvent.objects.aggregate(lo=models.Min("id"), hi=models.Max("id"))
    lo, hi = bounds["lo"] or 0, bounds["hi"] or 0
    step = (hi - lo) // jobs + 1
    shares = [(start, min(hi, start + step - 1), now) for start in range(lo, hi + 1, step)]
    connection.close()  # the processes must not share this one
    with multiprocessing.get_context("fork").Pool(len(shares)) as pool:
        waiting = pool.map_async(_check_range, shares)
        with transaction.atomic():
            _check_chain(report, checkpoints)
        parts = waiting.get()
    for part in parts:  # in id order: the first problem found is the oldest
        report.problems.extend(part.problems)
        report.unsealed += part.unsealed
        if part.oldest_unsealed and (report.oldest_unsealed or "~") > part.oldest_unsealed:
            report.oldest_unsealed = part.oldest_unsealed


def default_jobs() -> int:
    """Processes for the MAC checks: a few on PostgreSQL, one on SQLite (one file, one disk)."""
    return min(4, os.cpu_count() or 1) if connection.vendor == "postgresql" else 1


def verify_chain(*, now: dt.datetime | None = None, jobs: int = 1) -> Report:
    """Check the whole log: each checkpoint's signature, the chain in place order against the
    key and the checkpoints, and every event's MAC (sealed or not). With ``jobs`` above 1 (and
    outside a transaction) the MAC checks run in that many processes beside the chain's."""
    now = now or clock.now()
    report = Report()
    checkpoints = load_checkpoints(report)
    if jobs > 1 and not connection.in_atomic_block:
        _check_macs_in_parallel(report, checkpoints, now, jobs)
    else:
        with transaction.atomic():
            _check_chain(report, checkpoints)
            _check_macs(report, now)
    if report.oldest_unsealed is not None:
        report.warnings.append(
            f"Events written since {report.oldest_unsealed} are not sealed yet: is the task "
            "worker (manage.py db_worker) running?"
        )
    return report
