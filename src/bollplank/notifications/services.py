"""Every write of preferences and practice notification settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bollplank.core.audit import audit
from bollplank.core.models import Practice
from bollplank.notifications.enums import OPTIONAL_KINDS
from bollplank.notifications.models import NotificationSettings, OptOut


@transaction.atomic
def preferences_set(*, email: str, wanted: set[str], actor: Any = None) -> set[str]:
    """Turn the optional kinds on (``wanted``) and the others off for this address."""
    email = email.lower()
    off: set[str] = {str(kind) for kind in OPTIONAL_KINDS} - wanted
    OptOut.objects.filter(email=email).exclude(kind__in=off).delete()
    for kind in off:
        OptOut.objects.get_or_create(email=email, kind=kind)
    return off


@transaction.atomic
def unsubscribe(*, email: str, kind: str) -> None:
    """One optional kind off, from the link in an e-mail."""
    if kind in OPTIONAL_KINDS:
        OptOut.objects.get_or_create(email=email.lower(), kind=kind)


@transaction.atomic
def notification_settings_save(
    *, actor: Any, practice: Practice, reminder_hours: int, question_reminder_hours: int
) -> NotificationSettings:
    """A practice's reminder timing (applies to reminders queued from now on)."""
    found, _created = NotificationSettings.objects.get_or_create(practice=practice)
    found.reminder_hours = reminder_hours
    found.question_reminder_hours = question_reminder_hours
    found.full_clean()
    found.save()
    audit(actor, "notifications.settings.saved", found, {"reminder_hours": reminder_hours})
    return found
