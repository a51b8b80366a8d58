"""The audit log moves from an unkeyed SHA-256 chain (written under one global lock) to a MAC
per event under a key outside the database, sealed into a keyed chain by the task worker.

Before resealing, the old chain is checked one last time and a marker event records whether
it was whole; the marker is the old chain's last link and the new chain's last event, so the
verdict is itself protected by both."""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import migrations, models

OLD_GENESIS = "0" * 64
REKEYED = "core.audit.rekeyed"


def _old_hash(event, prev_hash):
    payload = {
        "prev": prev_hash,
        "practice": event.practice_id,
        "actor": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "data": event.data,
        "at": event.created_at.isoformat(),
    }
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _old_chain_verdict(AuditEvent):
    """(whole, first broken id, last hash, count) of the old chain, as verify_chain had it."""
    prev = OLD_GENESIS
    first = AuditEvent.objects.order_by("id").first()
    if first is not None and first.prev_hash != OLD_GENESIS:
        pruned = AuditEvent.objects.filter(action="core.audit.pruned")
        if any(e.data.get("last_hash") == first.prev_hash for e in pruned):
            prev = first.prev_hash
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev or _old_hash(event, prev) != event.hash:
            return False, event.id, prev, count
        prev = event.hash
    return True, None, prev, count


def reseal(apps, schema_editor):
    from bollplank.core.audit import GENESIS, content, link, sign

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditSubject = apps.get_model("core", "AuditSubject")
    if not AuditEvent.objects.exists():
        return
    whole, broken_at, last_hash, count = _old_chain_verdict(AuditEvent)
    marker = AuditEvent(
        action=REKEYED,
        data={"old_chain_whole": whole, "broken_at": broken_at, "last_hash": last_hash,
              "count": count},
        created_at=dt.datetime.now(dt.UTC),  # noqa: DTZ005  (a migration runs outside the clock)
        prev_hash=last_hash,
        object_type="",
        object_id="",
    )
    marker.hash = _old_hash(marker, last_hash)
    marker.save()

    subjects = {}
    for event_id, user_id in AuditSubject.objects.order_by("event_id", "user_id").values_list(
        "event_id", "user_id"
    ):
        subjects.setdefault(event_id, []).append(user_id)
    key = settings.AUDIT_KEY
    chain, seq, rows = GENESIS, 0, []
    table = schema_editor.connection.ops.quote_name(AuditEvent._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            data = json.loads(json.dumps(event.data))
            mac = sign(
                content(
                    event.action, event.actor_id, event.practice_id, event.object_type,
                    event.object_id, event.created_at, data,
                    sorted(set(subjects.get(event.id, ()))),
                ),
                key,
            )
            seq += 1
            chain = link(chain, mac, key)
            rows.append((mac, seq, chain, event.id))
            if len(rows) >= 2000:
                cursor.executemany(
                    f"UPDATE {table} SET mac = %s, seq = %s, chain = %s WHERE id = %s", rows  # nosec B608
                )
                rows = []
        if rows:
            cursor.executemany(
                f"UPDATE {table} SET mac = %s, seq = %s, chain = %s WHERE id = %s", rows  # nosec B608
            )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_practice_engagement_alerts'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.CharField(blank=True, default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditevent',
            name='mac',
            field=models.CharField(default='', max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
    ]
