"""The protected room's texts (core/personal_data_registry.py): private notes and journals are
encrypted, and only their author gets them decrypted in an export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from bollplank.core.personal_data_registry import Category, Retention, register
from bollplank.records.models import JournalEntry, PrivateNote, Submission, Summary

WITHHELD = "[encrypted: only the author downloads this text, from their own page]"


def _text(entry: Any, confidential: bool) -> str:
    return entry.body if confidential else WITHHELD


def _notes(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": n.practice.name,
            "engagement": str(n.engagement),
            "meeting": str(n.meeting) if n.meeting else None,
            "created": n.created_at,
            "updated": n.updated_at,
            "text": _text(n, confidential),
        }
        for n in PrivateNote.objects.filter(author=user).select_related(
            "practice", "engagement", "meeting"
        )
    ]


def _journal(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "practice": e.practice.name,
            "meeting": str(e.meeting) if e.meeting else None,
            "created": e.created_at,
            "updated": e.updated_at,
            "text": _text(e, confidential),
        }
        for e in JournalEntry.objects.filter(author=user).select_related("practice", "meeting")
    ]


def _submissions(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {
            "meeting": str(s.meeting),
            "sent": s.created_at,
            "visibility": s.get_visibility_display(),
            "text": s.body,
        }
        for s in Submission.objects.filter(participant__user=user).select_related("meeting")
    ]


def _summaries(user: Any, confidential: bool) -> list[dict[str, Any]]:
    return [
        {"meeting": str(s.meeting), "published": s.published_at, "text": s.body}
        for s in Summary.objects.filter(author=user).select_related("meeting")
    ]


def _older(model: Any, field: str) -> Any:
    def expired(practice: Any, cutoff: dt.datetime) -> QuerySet[Any]:
        return model.objects.filter(practice=practice, **{f"{field}__lt": cutoff})

    return expired


register(
    Category(
        key="records.notes",
        label=gettext_lazy("supervisors' private notes"),
        purpose=gettext_lazy("the supervisor's own memory of the supervision"),
        legal_basis=gettext_lazy("legitimate interest; professional secrecy (Art. 6.1 f)"),
        subjects=gettext_lazy("supervisors; people discussed are not to be identifiable"),
        recipients=gettext_lazy("the author alone (encrypted; every read is logged)"),
        export=_notes,
        erase=lambda user: PrivateNote.objects.filter(author=user).delete()[0],
        erasure=gettext_lazy("Removed."),
        practices=lambda user: set(
            PrivateNote.objects.filter(author=user).values_list("practice_id", flat=True)
        ),
        retention=Retention(expired=_older(PrivateNote, "updated_at")),
        encrypted=True,
    )
)
register(
    Category(
        key="records.journal",
        label=gettext_lazy("participants' reflection journals"),
        purpose=gettext_lazy("the participant's own reflection"),
        legal_basis=gettext_lazy("consent (Art. 6.1 a)"),
        subjects=gettext_lazy("participants"),
        recipients=gettext_lazy("the author alone (encrypted)"),
        export=_journal,
        erase=lambda user: JournalEntry.objects.filter(author=user).delete()[0],
        erasure=gettext_lazy("Removed."),
        practices=lambda user: set(
            JournalEntry.objects.filter(author=user).values_list("practice_id", flat=True)
        ),
        retention=Retention(expired=_older(JournalEntry, "updated_at")),
        encrypted=True,
    )
)
register(
    Category(
        key="records.submissions",
        label=gettext_lazy("questions and problem descriptions sent in"),
        purpose=gettext_lazy("to prepare a meeting"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("participants"),
        recipients=gettext_lazy("the supervisor; the group if the participant chose so"),
        export=_submissions,
        erase=lambda user: Submission.objects.filter(participant__user=user).delete()[0],
        erasure=gettext_lazy("Removed."),
        retention=Retention(expired=_older(Submission, "created_at")),
    )
)
register(
    Category(
        key="records.summaries",
        label=gettext_lazy("meeting summaries"),
        purpose=gettext_lazy("to share what a meeting arrived at with its participants"),
        legal_basis=gettext_lazy("contract (Art. 6.1 b)"),
        subjects=gettext_lazy("supervisors (as authors)"),
        recipients=gettext_lazy("the meeting's participants"),
        # Shared with the group: kept when the author is erased (their name is pseudonymized).
        export=_summaries,
    )
)
