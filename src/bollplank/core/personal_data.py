"""The audit log as personal data (core/personal_data_registry.py): what a person did, and who read
things about them. Events hold ids only, so an erased person's events stay and the hash chain
still verifies; the oldest part of the chain goes by the retention rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from bollplank.core.audit import prune_chain
from bollplank.core.models import AuditEvent
from bollplank.core.personal_data_registry import Category, Retention, register


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    events = (
        AuditEvent.objects.filter(Q(actor=user) | Q(subjects__user=user))
        .distinct()
        .select_related("practice", "actor")
        .order_by("id")
    )
    return [
        {
            "at": e.created_at,
            "practice": e.practice.name if e.practice else None,
            "by": "you" if e.actor_id == user.pk else (str(e.actor) if e.actor else None),
            "action": e.action,
            "object": f"{e.object_type}:{e.object_id}" if e.object_type else "",
        }
        for e in events
    ]


def _expired(practice: Any, cutoff: dt.datetime) -> QuerySet[Any]:
    return AuditEvent.objects.filter(practice=practice, created_at__lt=cutoff)


def _prune_before(cutoff: dt.datetime, dry_run: bool) -> int:
    first_kept = AuditEvent.objects.filter(created_at__gte=cutoff).order_by("id").first()
    older = AuditEvent.objects.filter(id__lt=first_kept.id) if first_kept else AuditEvent.objects
    if dry_run:
        return older.count()
    if first_kept is None:
        return 0  # never prune the whole chain: its newest event anchors the next one
    return prune_chain(before_id=first_kept.id)


register(
    Category(
        key="core.audit",
        label=gettext_lazy("audit log"),
        purpose=gettext_lazy("to show who read or changed what (security, accountability)"),
        legal_basis=gettext_lazy("legal obligation and legitimate interest (Art. 6.1 c, f)"),
        subjects=gettext_lazy("everyone with a login, and people things are about"),
        recipients=gettext_lazy("the practice's admins; each person sees who read about them"),
        export=_export,
        retention=Retention(expired=_expired, minimum_days=365, prune_before=_prune_before),
    )
)
