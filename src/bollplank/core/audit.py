"""Write audit events: ``audit(actor, "clients.client.created", obj, data)``.

Events are chained by hash so that an edited or deleted row shows; the chain is global
(not per practice) so that one lock orders every writer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction

from bollplank.core import clock
from bollplank.core.models import AuditEvent, AuditSubject, Practice

GENESIS = "0" * 64
# Any fixed number: the key of the PostgreSQL advisory lock that orders audit writers.
_CHAIN_LOCK = 0x420117


def _lock_chain() -> None:
    """Serialise writers of the chain until the transaction ends.

    Locking the newest row is not enough on PostgreSQL: under READ COMMITTED a writer that
    waited on it would still read the old newest row and fork the chain. An advisory lock
    taken before reading avoids that; SQLite's IMMEDIATE transactions already serialise.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


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
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").only("hash").first()
        event = AuditEvent(
            practice=practice,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            data=data or {},
            created_at=clock.now(),
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = event.compute_hash()
        event.save()
        people = {pk for pk in subjects if pk}
        if people:
            AuditSubject.objects.bulk_create(AuditSubject(event=event, user_id=pk) for pk in people)
    return event


PRUNED = "core.audit.pruned"


def prune_chain(*, before_id: int) -> int:
    """Delete the oldest events (ids below ``before_id``) for the retention rules, and append an
    event that names the last deleted hash: the chain then verifies from there, and cutting
    anything but the oldest part still shows."""
    with transaction.atomic():
        _lock_chain()
        last = (
            AuditEvent.objects.filter(id__lt=before_id).order_by("-id").only("id", "hash").first()
        )
        if last is None:
            return 0
        AuditSubject.objects.filter(event_id__lte=last.id).delete()
        # A queryset delete: AuditEvent.delete() refuses one by one, on purpose.
        count, _ = AuditEvent.objects.filter(id__lte=last.id).delete()
        audit(None, PRUNED, None, {"up_to": last.id, "last_hash": last.hash, "count": count})
    return count


def verify_chain() -> AuditEvent | None:
    """The first event whose hash or link does not hold, or None when the chain is whole.
    After a retention prune the chain starts at the hash a ``core.audit.pruned`` event names."""
    prev = GENESIS
    first = AuditEvent.objects.order_by("id").only("prev_hash").first()
    if (
        first is not None
        and first.prev_hash != GENESIS
        and AuditEvent.objects.filter(action=PRUNED, data__last_hash=first.prev_hash).exists()
    ):
        prev = first.prev_hash
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return event
        prev = event.hash
    return None
