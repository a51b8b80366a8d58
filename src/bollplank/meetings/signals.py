"""What meeting services announce, inside their transaction, for other apps to act on
(notifications sends invitations, calendar updates and reminders from them)."""

from django.dispatch import Signal

# meeting=<Meeting>, change="planned" | "moved" | "cancelled", actor=<User or None>
meeting_changed = Signal()
# summary=<records.Summary>: shared with the group for the first time.
summary_published = Signal()
# meeting=<Meeting>, actor=<User>, before=(starts_at, ends_at): a held meeting's time was
# corrected; billing credits what it invoiced at the old time (billing/apps.py).
held_meeting_corrected = Signal()
