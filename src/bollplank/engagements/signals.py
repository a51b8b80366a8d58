"""What engagement services announce, inside their transaction, for the apps above to act on.

A receiver may refuse the change by raising ``ValidationError``: the service's transaction then
rolls back and the person sees the message (meetings refuses a new supervisor who is busy at
one of the meetings ahead)."""

from django.dispatch import Signal

# engagement=<Engagement> (saved), changed=[the names of the fields that changed]
engagement_updated = Signal()
