"""Checkpoints of the audit chain outside the database, and the check of the whole log.

Each seal appends a line ``{"seq", "chain", "at", "mac"}`` to
``settings.AUDIT_CHECKPOINT_DIR/checkpoints-<YYYY-MM-DD>.jsonl``, the line itself signed with the
audit key. Kept on other storage than the database, they show what the chain alone cannot: that
the newest events were removed, or that someone holding the key rewrote the chain.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from bollplank.core import clock
from bollplank.core.audit import GENESIS, PRUNED, _dumps, content, link, sign
from bollplank.core.models import AuditEvent, AuditSubject

# Events should be sealed within seconds; older unsealed ones mean the sealer is not running.
UNSEALED_WARNING = dt.timedelta(minutes=10)
_CHUNK = 20_000


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
    rows = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values_list("id", "seq", "mac", "chain")
        .iterator(chunk_size=_CHUNK)
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
        if not hmac.compare_digest(chain, link(prev, mac, key)):
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


def _subjects() -> Iterator[tuple[int, int]]:
    return (
        AuditSubject.objects.order_by("event_id", "user_id")
        .values_list("event_id", "user_id")
        .iterator(chunk_size=_CHUNK)
    )


def _check_macs(report: Report, now: dt.datetime) -> None:
    key = settings.AUDIT_KEY
    rows = (
        AuditEvent.objects.order_by("id")
        .values_list(
            "id",
            "action",
            "actor_id",
            "practice_id",
            "object_type",
            "object_id",
            "created_at",
            "data",
            "mac",
            "seq",
        )
        .iterator(chunk_size=_CHUNK)
    )
    subjects = _subjects()
    pending: tuple[int, int] | None = next(subjects, None)
    stale = now - UNSEALED_WARNING
    oldest_unsealed: Any = None
    for pk, action, actor, practice, otype, oid, at, data, mac, seq in rows:
        people = []
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                people.append(pending[1])
            pending = next(subjects, None)
        message = content(action, actor, practice, otype, oid, at, data, people)
        if not hmac.compare_digest(mac, hmac.new(key, message, "sha256").hexdigest()):
            report.problems.append(Problem(f"Event {pk} was altered (its MAC does not hold).", pk))
            return
        if seq is None:
            report.unsealed += 1
            if oldest_unsealed is None and at < stale:
                oldest_unsealed = at
    if oldest_unsealed is not None:
        report.warnings.append(
            f"Events written since {oldest_unsealed.isoformat()} are not sealed yet: is the task "
            "worker (manage.py db_worker) running?"
        )


def verify_chain(*, now: dt.datetime | None = None) -> Report:
    """Check the whole log: each checkpoint's signature, the chain in place order against the
    key and the checkpoints, and every event's MAC (sealed or not)."""
    report = Report()
    checkpoints = load_checkpoints(report)
    _check_chain(report, checkpoints)
    _check_macs(report, now or clock.now())
    return report
