"""What meeting services announce, inside their transaction, for other apps to act on
(notifications sends invitations, calendar updates and reminders from them)."""

from django.dispatch import Signal

# meeting=<Meeting>, change="planned" | "moved" | "cancelled", actor=<User or None>
meeting_changed = Signal()
# meetings=<list of Meeting> (one engagement, two or more), actor=<User or None>, now=<datetime>:
# a series planned at once, announced once so that people get one invitation for all of it.
series_planned = Signal()
# summary=<records.Summary>: shared with the group for the first time.
summary_published = Signal()
# meeting=<Meeting>, actor=<User>, before=(starts_at, ends_at): a held meeting's time was
# corrected; billing credits what it invoiced at the old time (billing/apps.py).
held_meeting_corrected = Signal()
