"""The case owner's takeaway after a run: written by them alone into their own journal, and
named (not quoted) in the meeting's summary."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.identity import guard_identity_numbers
from bollplank.engagements.models import Participant
from bollplank.facilitation.models import (
    Run,
)
from bollplank.meetings.models import Meeting
from bollplank.records.models import MAX_TEXT, JournalEntry, Summary


def takeaway_writer(run: Run, user: Any) -> bool:
    """Only the case owner writes their takeaway, from their own login: it goes into their own
    journal, so no one else's hand (or screen) puts words in it."""
    owner = run.case_owner
    return owner is not None and owner.user_id is not None and owner.user_id == user.pk


@transaction.atomic
def takeaway_save(
    *,
    actor: Any,
    run: Run,
    takeaway: str,
    next_step: str,
    to_summary: bool,
    confirmed: bool = False,
) -> JournalEntry:
    """The case owner's own takeaway and next step, written by them: into their journal (theirs
    alone from now on), and added to the group summary only if they chose so."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("meeting", "case_owner")
        .get(pk=run.pk)
    )
    meeting = run.meeting
    owner = run.case_owner
    if owner is None:
        raise ValidationError(_("This run has no case owner, so there is no journal to save to."))
    if owner.user_id is None:
        raise ValidationError(
            _(
                "%(name)s has no login yet, so there is no journal to save to. Invite them, and "
                "they can write it in their own journal."
            )
            % {"name": owner.name},
            code="no_login",
        )
    if not takeaway_writer(run, actor):
        raise ValidationError(
            _("Only the case owner writes their takeaway, from their own login."),
            code="not_case_owner",
        )
    if run.takeaway_saved_at is not None:
        raise ValidationError(_("Your takeaway is already saved in your journal."), code="saved")
    takeaway, next_step = takeaway.strip(), next_step.strip()
    if not takeaway and not next_step:
        raise ValidationError(
            {"takeaway": _("Write the takeaway or the next step first.")}, code="empty"
        )
    lines = []
    if takeaway:
        lines.append(_("Takeaway: %(text)s") % {"text": takeaway})
    if next_step:
        lines.append(_("Next step: %(text)s") % {"text": next_step})
    text = "\n".join(lines)
    heading = _("From %(model)s, %(date)s") % {
        "model": run.model_name,
        "date": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d"),
    }
    guard_identity_numbers({"takeaway": takeaway, "next_step": next_step}, confirmed=confirmed)
    if to_summary:
        _add_to_summary(meeting, owner, text)
    entry = JournalEntry(practice=meeting.practice, author_id=owner.user_id, meeting=meeting)
    entry.body = f"{heading}\n{text}"
    entry.save()
    run.takeaway_saved_at = clock.now()
    run.save(update_fields=["takeaway_saved_at", "updated_at"])
    audit(
        actor,
        "facilitation.takeaway.saved",
        run,
        {"journal_entry": entry.pk, "to_summary": to_summary},
        subjects=[owner.user_id],
    )
    return entry


def _add_to_summary(meeting: Meeting, owner: Participant, text: str) -> None:
    """The case owner's words at the end of the meeting's summary, under their name. The summary
    stays the supervisor's: published as it was, or a draft for them to publish."""
    addition = f"{owner.name}:\n{text}"
    summary = Summary.objects.select_for_update().filter(meeting=meeting).first()
    if summary is None:
        summary = Summary(practice=meeting.practice, meeting=meeting, author=meeting.supervisor)
        summary.body = addition
    else:
        summary.body = f"{summary.body}\n\n{addition}"
    if len(summary.body) > MAX_TEXT:
        raise ValidationError(
            {"to_summary": _("The group summary is full: save it in your journal only.")},
            code="summary_full",
        )
    summary.save()
