"""Every read of the outbox and of preferences."""

from __future__ import annotations

from django.db.models import QuerySet

from bollplank.core.models import Practice
from bollplank.notifications.enums import OPTIONAL_KINDS
from bollplank.notifications.models import OptOut, OutgoingMail


def outbox_of(practice: Practice, *, status: str = "") -> QuerySet[OutgoingMail]:
    """The practice's e-mails, newest first (for its admins: what went out, what failed)."""
    qs = OutgoingMail.objects.filter(practice=practice)
    return qs.filter(status=status) if status else qs


def opted_out_kinds(email: str) -> set[str]:
    """The optional kinds this address has turned off."""
    return set(
        OptOut.objects.filter(email=email.lower(), kind__in=OPTIONAL_KINDS).values_list(
            "kind", flat=True
        )
    )
