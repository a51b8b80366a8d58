"""Audit actions in words, for the admin's log and each person's extract."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Promise] = {
    "records.note.read": _("read the private notes on a meeting or engagement"),
    "records.note.searched": _("searched their private notes"),
    "records.note.exported": _("downloaded their private notes"),
    "records.note.created": _("wrote a private note"),
    "records.note.updated": _("changed a private note"),
    "records.note.deleted": _("deleted a private note"),
    "records.submission.listed": _("read the questions sent in for a meeting"),
    "records.submission.created": _("sent in a question"),
    "records.submission.reordered": _("reordered the agenda"),
    "records.summary.saved": _("saved a summary draft"),
    "records.summary.published": _("published a summary"),
    "records.summary.withdrawn": _("withdrew a summary"),
    "records.case_turn.set": _("changed the case rota"),
    "records.case_turn.cleared": _("cleared a case turn"),
    "records.journal.written": _("wrote in their journal"),
    "records.journal.deleted": _("deleted a journal entry"),
    "meetings.meeting.created": _("planned a meeting"),
    "meetings.series.created": _("planned a series of meetings"),
    "meetings.meeting.moved": _("moved a meeting"),
    "meetings.meeting.cancelled": _("cancelled a meeting"),
    "meetings.attendance.recorded": _("recorded attendance"),
    "meetings.meeting.focus_set": _("set a meeting's focus"),
    "meetings.feed.created": _("created a calendar link"),
    "meetings.feed.revoked": _("stopped a calendar link"),
    "clients.client.created": _("registered a client"),
    "clients.client.updated": _("changed a client"),
    "clients.contact.created": _("added a client contact"),
    "engagements.engagement.created": _("created an engagement"),
    "engagements.engagement.updated": _("changed an engagement"),
    "engagements.membership.joined": _("added a participant to a group"),
    "engagements.membership.left": _("recorded that a participant left a group"),
    "accounts.invitation.created": _("sent an invitation"),
    "accounts.invitation.accepted": _("accepted an invitation"),
    "accounts.membership.granted": _("gave a role"),
    "core.practice.updated": _("changed the practice's settings"),
}
