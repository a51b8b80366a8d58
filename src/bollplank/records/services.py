"""Every write of confidential texts, and the audited reads of private notes.

Never log, audit or e-mail a text itself: audit data holds ids and counts only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.identity import guard_identity_numbers
from bollplank.engagements.models import Engagement, GroupMembership, Participant
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.meetings.signals import summary_published
from bollplank.records.enums import Visibility
from bollplank.records.models import (
    MAX_TEXT,
    CaseTurn,
    JournalEntry,
    PrivateNote,
    Submission,
    Summary,
)


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"body": _("Write something first.")}, code="empty")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {
                "body": _("The text is %(n)d characters; at most %(max)d fit.")
                % {"n": len(text), "max": MAX_TEXT}
            },
            code="too_long",
        )
    return text


def _people_in(engagement: Engagement) -> list[int]:
    """The users an engagement's texts are about, for the audit log's subjects."""
    return [
        pk
        for pk in GroupMembership.objects.filter(engagement=engagement).values_list(
            "participant__user_id", flat=True
        )
        if pk
    ]


# --- private notes --------------------------------------------------------------------------


@transaction.atomic
def note_create(
    *,
    actor: Any,
    engagement: Engagement,
    meeting: Meeting | None,
    body: str,
    confirmed: bool = False,
) -> PrivateNote:
    """A private note by the engagement's supervisor, on a meeting or on the engagement."""
    if engagement.supervisor_id != actor.pk:
        raise ValidationError(_("Only the engagement's supervisor writes its notes."))
    text = _check_text(body)
    guard_identity_numbers({"body": text}, confirmed=confirmed)
    note = PrivateNote(
        practice=engagement.practice, author=actor, engagement=engagement, meeting=meeting
    )
    note.body = text
    note.save()
    audit(actor, "records.note.created", note)
    return note


@transaction.atomic
def note_update(
    *, actor: Any, note: PrivateNote, body: str, confirmed: bool = False
) -> PrivateNote:
    if note.author_id != actor.pk:
        raise ValidationError(_("Only the author can change a private note."))
    text = _check_text(body)
    guard_identity_numbers({"body": text}, confirmed=confirmed)
    note.body = text
    note.save()
    audit(actor, "records.note.updated", note)
    return note


@transaction.atomic
def note_delete(*, actor: Any, note: PrivateNote) -> None:
    if note.author_id != actor.pk:
        raise ValidationError(_("Only the author can delete a private note."))
    audit(actor, "records.note.deleted", note)
    note.delete()


def notes_read(
    *, actor: Any, notes: list[PrivateNote], action: str, engagement: Engagement | None = None
) -> list[tuple[PrivateNote, str]]:
    """Decrypt the author's own notes for showing, searching or exporting, and log the read."""
    shown = [(n, n.body) for n in notes if n.author_id == actor.pk]
    if shown or engagement is not None:
        audit(
            actor,
            f"records.note.{action}",
            engagement,
            {"count": len(shown), "notes": [n.pk for n, _text in shown][:200]},
            practice=notes[0].practice if notes else getattr(engagement, "practice", None),
            subjects=_people_in(engagement) if engagement is not None else (),
        )
    return shown


def notes_search(
    *, actor: Any, notes: list[PrivateNote], query: str
) -> list[tuple[PrivateNote, str]]:
    """The author's notes whose text contains ``query`` (case-insensitive). The texts are
    encrypted, so the search decrypts the author's own notes only, in memory."""
    needle = query.casefold().strip()
    matches = [(n, n.body) for n in notes if n.author_id == actor.pk]
    matches = [(n, text) for n, text in matches if needle in text.casefold()]
    practice = notes[0].practice if notes else None
    audit(actor, "records.note.searched", None, {"hits": len(matches)}, practice=practice)
    return matches


# --- summaries ------------------------------------------------------------------------------


@transaction.atomic
def summary_save(
    *,
    actor: Any,
    meeting: Meeting,
    body: str,
    publish: bool,
    confirmed: bool = False,
    now: dt.datetime | None = None,
) -> Summary:
    """Write the meeting's summary; publishing shares it with the group (never the client)."""
    if meeting.supervisor_id != actor.pk:
        raise ValidationError(_("Only the meeting's supervisor writes its summary."))
    text = _check_text(body)
    guard_identity_numbers({"body": text}, confirmed=confirmed)
    summary, _created = Summary.objects.get_or_create(
        meeting=meeting,
        defaults={"practice": meeting.practice, "author": actor, "body": text},
    )
    summary.body = text
    newly_published = publish and summary.published_at is None
    if newly_published:
        summary.published_at = now or clock.now()
    summary.full_clean(exclude=["meeting", "practice", "author"])
    summary.save()
    audit(actor, "records.summary.published" if publish else "records.summary.saved", summary)
    if newly_published:
        summary_published.send(sender=Summary, summary=summary)
    return summary


@transaction.atomic
def summary_unpublish(*, actor: Any, summary: Summary) -> Summary:
    if summary.author_id != actor.pk:
        raise ValidationError(_("Only the author can withdraw the summary."))
    summary.published_at = None
    summary.save(update_fields=["published_at", "updated_at"])
    audit(actor, "records.summary.withdrawn", summary)
    return summary


# --- questions sent in ----------------------------------------------------------------------


def submission_deadline(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at - dt.timedelta(hours=meeting.engagement.submission_hours_before)


@transaction.atomic
def submission_create(
    *,
    actor: Any,
    meeting: Meeting,
    participant: Participant,
    body: str,
    visibility: str,
    confirmed: bool = False,
    now: dt.datetime | None = None,
) -> Submission:
    """A participant sends in a question before the deadline, choosing who may read it."""
    now = now or clock.now()
    if participant.user_id != actor.pk:
        raise ValidationError(_("You can only send in your own questions."))
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The meeting is cancelled."), code="cancelled")
    deadline = submission_deadline(meeting)
    if now > deadline:
        raise ValidationError(
            _("The time to send in questions for this meeting ended %(when)s.")
            % {"when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
            code="deadline",
        )
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who may read it.")})
    text = _check_text(body)
    guard_identity_numbers({"body": text}, confirmed=confirmed)
    last = Submission.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"]
    submission = Submission(
        practice=meeting.practice,
        meeting=meeting,
        participant=participant,
        body=text,
        visibility=visibility,
        position=(last or 0) + 1,
    )
    submission.full_clean(exclude=["meeting", "participant", "practice"])
    submission.save()
    audit(actor, "records.submission.created", submission, {"visibility": visibility})
    return submission


@transaction.atomic
def submission_move(*, actor: Any, submission: Submission, step: int) -> None:
    """Move a question up (-1) or down (+1) in the meeting's agenda."""
    if submission.meeting.supervisor_id != actor.pk:
        raise ValidationError(_("Only the supervisor orders the agenda."))
    items = list(Submission.objects.select_for_update().filter(meeting=submission.meeting))
    index = next(i for i, s in enumerate(items) if s.pk == submission.pk)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    audit(actor, "records.submission.reordered", submission.meeting)


# --- case rota ------------------------------------------------------------------------------


def rota_suggestion(engagement: Engagement, meetings: list[Meeting]) -> dict[int, Participant]:
    """A fair rotation for the meetings without a case owner: each goes to the member with the
    fewest turns so far, the longest since their last turn breaking ties, then by name."""
    members = {
        m.participant_id: m.participant
        for m in GroupMembership.objects.filter(engagement=engagement, left_on__isnull=True)
        .select_related("participant")
        .order_by("participant__name")
    }
    if not members:
        return {}
    turns = {
        row["participant_id"]: (row["n"], row["last"])
        for row in CaseTurn.objects.filter(
            meeting__engagement=engagement, participant_id__in=members
        )
        .values("participant_id")
        .annotate(n=Count("id"), last=Max("meeting__starts_at"))
    }
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    counts = {pk: turns.get(pk, (0, epoch)) for pk in members}
    suggestion: dict[int, Participant] = {}
    for meeting in meetings:
        pk = min(counts, key=lambda p: (counts[p][0], counts[p][1], members[p].name))
        suggestion[meeting.pk] = members[pk]
        counts[pk] = (counts[pk][0] + 1, meeting.starts_at)
    return suggestion


@transaction.atomic
def case_turn_set(
    *, actor: Any, meeting: Meeting, participant: Participant | None
) -> CaseTurn | None:
    """Give the meeting's case to a group member (None clears it). Swapping is two sets."""
    if meeting.supervisor_id != actor.pk:
        raise ValidationError(_("Only the supervisor keeps the case rota."))
    if participant is None:
        CaseTurn.objects.filter(meeting=meeting).delete()
        audit(actor, "records.case_turn.cleared", meeting)
        return None
    if not GroupMembership.objects.filter(
        engagement=meeting.engagement, participant=participant, left_on__isnull=True
    ).exists():
        raise ValidationError(_("That person is not in the group."), code="not_member")
    turn, _created = CaseTurn.objects.update_or_create(
        meeting=meeting, defaults={"participant": participant, "practice": meeting.practice}
    )
    audit(actor, "records.case_turn.set", turn)
    return turn


@transaction.atomic
def rota_save(*, actor: Any, meetings: list[Meeting], owners: dict[int, Participant | None]) -> int:
    """Save the case owners of several meetings in one action: all or none. ``owners`` maps a
    meeting's id to its owner (None clears it); only meetings whose owner changes are written
    (and audited). Returns how many changed."""
    current = dict(
        CaseTurn.objects.filter(meeting__in=meetings).values_list("meeting_id", "participant_id")
    )
    changed = 0
    for meeting in meetings:
        if meeting.pk not in owners:
            continue
        owner = owners[meeting.pk]
        if current.get(meeting.pk) == (owner.pk if owner else None):
            continue
        case_turn_set(actor=actor, meeting=meeting, participant=owner)
        changed += 1
    return changed


@transaction.atomic
def rota_apply(*, actor: Any, engagement: Engagement, meetings: list[Meeting]) -> int:
    """Give every meeting without a case owner the suggested one."""
    open_meetings = [m for m in meetings if not CaseTurn.objects.filter(meeting=m).exists()]
    suggestion = rota_suggestion(engagement, open_meetings)
    for meeting in open_meetings:
        case_turn_set(actor=actor, meeting=meeting, participant=suggestion[meeting.pk])
    return len(open_meetings)


# --- journal --------------------------------------------------------------------------------


@transaction.atomic
def journal_write(
    *,
    actor: Any,
    practice: Any,
    body: str,
    meeting: Meeting | None = None,
    entry: JournalEntry | None = None,
    confirmed: bool = False,
) -> JournalEntry:
    """Write or rewrite one of the person's own journal entries."""
    text = _check_text(body)
    guard_identity_numbers({"body": text}, confirmed=confirmed)
    if entry is None:
        entry = JournalEntry(practice=practice, author=actor, meeting=meeting)
    elif entry.author_id != actor.pk:
        raise ValidationError(_("Only the author can change a journal entry."))
    else:
        entry.meeting = meeting
    entry.body = text
    entry.save()
    audit(actor, "records.journal.written", entry)
    return entry


@transaction.atomic
def journal_delete(*, actor: Any, entry: JournalEntry) -> None:
    if entry.author_id != actor.pk:
        raise ValidationError(_("Only the author can delete a journal entry."))
    audit(actor, "records.journal.deleted", entry)
    entry.delete()
