"""Checkpoints of the audit chain outside the database, and the check of the whole log.

Each seal appends a line ``{"seq", "chain", "at", "mac"}`` to
``settings.AUDIT_CHECKPOINT_DIR/checkpoints-<YYYY-MM-DD>.jsonl``, the line itself signed with the
audit key. Kept on other storage than the database, they show what the chain alone cannot: that
the newest events were removed, or that someone holding the key rewrote the chain.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hmac
import itertools
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
_openssl_hmac: Any
try:
    from _hashlib import hmac_new as _openssl_hmac
except ImportError:  # a Python built without OpenSSL
    _openssl_hmac = None


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


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _chunks(sql: str) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql`` a chunk at a time; on PostgreSQL from a server-side cursor, so that
    ten million rows never sit in memory. Call inside ``_reading``."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        # Named by process too: the processes of a parallel check are forked with the same count.
        cursor = connection.connection.cursor(name=f"audit_verify_{os.getpid()}_{next(_names)}")
    else:
        cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_CHUNK):
            yield rows
    finally:
        cursor.close()


def _select(where: str, order: str) -> str:
    """Every column an event's MAC and link cover, the time as the UTC ISO 8601 text that
    ``content`` uses (a zero fraction still written out) and the data as its stored JSON text,
    both made by the database: converting ten million datetimes and JSON values into Python
    objects only to convert them back costs more than the checks."""
    if connection.vendor == "postgresql":
        at = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
        data = "data::text"
    else:  # SQLite keeps UTC as text without a zone, and the JSON as text
        at = "replace(CAST(created_at AS TEXT), ' ', 'T') || '+00:00'"
        data = "data"
    return (
        f"SELECT id, seq, action, actor_id, practice_id, object_type, object_id, {at}, {data}, "  # noqa: S608  # nosec B608
        f"mac, chain FROM {_table(AuditEvent)} WHERE {where} ORDER BY {order}"
    )


def _subjects(ids: list[int]) -> dict[int, list[int]]:
    """The people each of these events names, sorted as the MAC has them. Read by the span of
    the ids (one index range: the events of a chunk were mostly sealed in id order), or by the
    ids themselves when an event sealed late makes that span wide."""
    lo, hi = min(ids), max(ids)
    head = f"SELECT event_id, user_id FROM {_table(AuditSubject)} WHERE "  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        if hi - lo <= 4 * len(ids):
            cursor.execute(f"{head}event_id BETWEEN %s AND %s ORDER BY event_id, user_id", [lo, hi])
        elif connection.vendor == "postgresql":
            cursor.execute(f"{head}event_id = ANY(%s) ORDER BY event_id, user_id", [ids])
        else:
            cursor.execute(
                f"{head}event_id IN (SELECT value FROM json_each(%s)) ORDER BY event_id, user_id",  # noqa: S608  # nosec B608
                [json.dumps(ids)],
            )
        found: dict[int, list[int]] = {}
        for event, user in cursor.fetchall():
            found.setdefault(event, []).append(user)
    return found


def _macs(key: bytes) -> Callable[[], Any]:
    """A fresh HMAC-SHA256 under ``key`` per call, copied from one already keyed: hmac.digest
    sets the key up (and OpenSSL 3 looks the hash up) anew on every call, twice the work."""
    if _openssl_hmac is not None:
        with contextlib.suppress(ValueError):  # an OpenSSL without it: the portable one below
            return _openssl_hmac(key, digestmod="sha256").copy  # type: ignore[no-any-return]
    return hmac.new(key, digestmod="sha256").copy


def _whole_json(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused: the check makes no cycles, but each row's tuple, dict
    and lists would set it off every few hundred rows to walk the chunk's rows again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass(frozen=True)
class _Share:
    """The places ``lo``–``hi`` of the chain, checked by one process."""

    lo: int
    hi: int
    first: bool  # follows genesis or a prune marker, not an event
    points: dict[int, list[Checkpoint]]
    snapshot: str | None = None


def _check_sealed(report: Report, share: _Share) -> None:
    """Check every event placed from ``share.lo`` to ``share.hi``: its MAC, its chain value
    against the stored chain value of the place before it, and the checkpoints naming it.

    A share that does not start the chain starts from the stored value of the event before it,
    which the share before checks as its own last link: so every link is checked once,
    whichever process checks it, and together the shares prove what one walk would. A gap is
    reported by the share holding the event before it (looking past its own end if need be);
    the share after then starts at its first event."""
    new = _macs(settings.AUDIT_KEY)
    scan: Any = _decoder.scan_once  # type: ignore[attr-defined]
    table = _table(AuditEvent)
    prev: str | None
    if share.first:
        prev = _start(share.lo)
        if prev is None:
            first = AuditEvent.objects.filter(seq=share.lo).values_list("id", flat=True).first()
            report.problems.append(
                Problem(f"The oldest events before place {share.lo} were removed.", first)
            )
            return
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT chain FROM {table} WHERE seq = %s", [share.lo - 1])  # noqa: S608  # nosec B608
            found = cursor.fetchone()
        prev = found[0] if found else None  # gone: the share before reports it
    points = share.points
    next_seq = share.lo
    rows = _chunks(_select(f"seq BETWEEN {int(share.lo)} AND {int(share.hi)}", "seq"))
    with _collector_paused():
        for chunk in rows:
            people = _subjects([row[0] for row in chunk])
            for pk, seq, action, actor, practice, otype, oid, when, data, mac, chain in chunk:
                if seq != next_seq:
                    if prev is not None:
                        report.problems.append(
                            Problem(f"Events at places {next_seq}–{seq - 1} are gone.", pk)
                        )
                        return
                    next_seq = seq
                if ".000000+" in when:
                    when = when.replace(".000000", "")  # isoformat() leaves out a zero fraction
                try:
                    value, end = scan(data, 0)
                except (StopIteration, ValueError):
                    end = -1
                if end != len(data):
                    good, value = _whole_json(data)
                    if not good:
                        report.problems.append(
                            Problem(f"Event {pk} was altered (its data is not JSON).", pk)
                        )
                        return
                check = new()
                check.update(
                    _dumps(
                        [action, actor, practice, otype, oid, when, value, people.get(pk, [])]
                    ).encode()
                )
                if check.hexdigest() != mac:
                    report.problems.append(
                        Problem(f"Event {pk} was altered (its MAC does not hold).", pk)
                    )
                    return
                if prev is not None:
                    check = new()
                    check.update((prev + mac).encode())
                    if check.hexdigest() != chain:
                        report.problems.append(
                            Problem(
                                f"The chain breaks at event {pk} (place {seq}): altered or moved.",
                                pk,
                            )
                        )
                        return
                for point in points.get(seq, ()):
                    if point.chain != chain:
                        report.problems.append(
                            Problem(
                                f"Event {pk} (place {seq}) disagrees with checkpoint "
                                f"{point.where}.",
                                pk,
                            )
                        )
                        return
                prev = chain
                next_seq += 1
                report.sealed += 1
    if next_seq <= share.hi and prev is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, seq FROM {table} WHERE seq > %s ORDER BY seq LIMIT 1",  # noqa: S608  # nosec B608
                [share.hi],
            )
            after = cursor.fetchone()
        last = after[1] - 1 if after else share.hi
        report.problems.append(
            Problem(f"Events at places {next_seq}–{last} are gone.", after[0] if after else None)
        )


def _check_unsealed(report: Report, now: dt.datetime) -> None:
    """The MAC of every event not sealed yet, and how long the oldest has waited."""
    key = settings.AUDIT_KEY
    stale = (now - UNSEALED_WARNING).astimezone(dt.UTC).isoformat()
    for chunk in _chunks(_select("seq IS NULL", "id")):
        people = _subjects([row[0] for row in chunk])
        for pk, _seq, action, actor, practice, otype, oid, when, data, mac, _chain in chunk:
            when = when.replace(".000000+", "+")
            good, value = _whole_json(data)
            message = content_at(
                action, actor, practice, otype, oid, when, value, people.get(pk, [])
            )
            if not good or not hmac.compare_digest(mac, sign(message, key)):
                report.problems.append(
                    Problem(f"Event {pk} was altered (its MAC does not hold).", pk)
                )
                return
            report.unsealed += 1
            if when < stale and (report.oldest_unsealed or "~") > when:
                report.oldest_unsealed = when


@contextmanager
def _reading(*, export: bool = False, snapshot: str | None = None) -> Iterator[str | None]:
    """One consistent view of the log for a whole check. On PostgreSQL a repeatable-read
    transaction; with ``export`` its snapshot's name is given for the other processes, which
    take it with ``snapshot``: every process then sees the same rows, whatever the sealer or a
    prune commits meanwhile. On SQLite a read transaction of its own: Django's take the write
    lock at BEGIN (IMMEDIATE), and every writer of the platform would wait for the check."""
    if connection.in_atomic_block:  # the caller's transaction, and its view (tests)
        with transaction.atomic():
            yield None
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            exported = None
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                if snapshot is not None:
                    if not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot):
                        raise ValueError(f"Not a snapshot's name: {snapshot!r}")
                    cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                if export:
                    cursor.execute("SELECT pg_export_snapshot()")
                    exported = str(cursor.fetchone()[0])
            yield exported
        return
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN DEFERRED")
    try:
        yield None
    finally:
        raw.execute("COMMIT")


# The connection objects a forked process found: kept, never used nor closed (closing one, even
# by letting it be collected, would end the parent's session, which is open while they run).
_INHERITED: list[Any] = []


def _check_share(share: _Share) -> Report:
    """One process's share of the chain, on a connection of its own: a new connection object,
    whatever state the forked parent's was in (two processes talking over one socket wait for
    each other's answers for ever)."""
    _INHERITED.append(connections[DEFAULT_DB_ALIAS])
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    part = Report()
    try:
        with _reading(snapshot=share.snapshot):
            _check_sealed(part, share)
    finally:
        connection.close()
    return part


def _shares(
    lo: int, hi: int, count: int, points: dict[int, list[Checkpoint]], snapshot: str | None
) -> list[_Share]:
    step = max(1, -(-(hi - lo + 1) // count))
    return [
        _Share(
            start,
            min(hi, start + step - 1),
            start == lo,
            {s: p for s, p in points.items() if start <= s <= start + step - 1},
            snapshot,
        )
        for start in range(lo, hi + 1, step)
    ]


def verify_chain(*, now: dt.datetime | None = None, jobs: int = 1) -> Report:
    """Check the whole log: each checkpoint's signature, the chain in place order against the
    key and the checkpoints, and every event's MAC (sealed or not). With ``jobs`` above 1 the
    places are split into shares; outside a transaction that many processes check them, all in
    one snapshot of the database, while this one checks the events not sealed yet."""
    now = now or clock.now()
    report = Report()
    checkpoints = load_checkpoints(report)  # before the snapshot: it then holds all they name
    points: dict[int, list[Checkpoint]] = {}
    for point in checkpoints:
        points.setdefault(point.seq, []).append(point)
    # Inside a transaction the shares are checked here, one after another, in its view.
    parallel = jobs > 1 and not connection.in_atomic_block
    loose = Report()
    with _reading(export=parallel and connection.vendor == "postgresql") as snapshot:
        bounds = AuditEvent.objects.aggregate(lo=models.Min("seq"), hi=models.Max("seq"))
        lo, hi = bounds["lo"], bounds["hi"]
        count = jobs * 4  # more shares than processes: none waits for a slow one
        shares = [] if lo is None or hi is None else _shares(lo, hi, count, points, snapshot)
        parts: list[Report] = []
        if parallel and len(shares) > 1:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                waiting = pool.map_async(_check_share, shares, chunksize=1)
                _check_unsealed(loose, now)
                parts = waiting.get()
        else:
            for share in shares:
                parts.append(Report())
                _check_sealed(parts[-1], share)
            _check_unsealed(loose, now)
    for part in [*parts, loose]:  # in place order: the first problem found is the oldest
        report.problems.extend(part.problems)
        report.sealed += part.sealed
    report.unsealed = loose.unsealed
    report.oldest_unsealed = loose.oldest_unsealed
    for point in checkpoints:
        if point.seq > (hi or 0):
            report.problems.append(
                Problem(
                    f"The newest events are gone: checkpoint {point.where} ({point.at}) names "
                    f"place {point.seq}, the log ends at {hi or 0}."
                )
            )
            break
    if report.oldest_unsealed is not None:
        report.warnings.append(
            f"Events written since {report.oldest_unsealed} are not sealed yet: is the task "
            "worker (manage.py db_worker) running?"
        )
    return report


def default_jobs() -> int:
    """Processes for the check: a few on PostgreSQL, one on SQLite (one file, one disk)."""
    return min(4, os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
