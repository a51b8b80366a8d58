"""Participants as the practice knows them (core/personal_data_registry.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bollplank.core import clock
from bollplank.core.personal_data_registry import Category, register
from bollplank.engagements.models import GroupMembership, Participant


def _rows(user: Any) -> QuerySet[Participant]:
    """The person's participant rows: linked to their login, or not linked to any login but
    with their address (invited before they had one, or never given one)."""
    by_address = Q(user__isnull=True, email__iexact=user.email)
    if user.pk is None:  # privacy.services.Address: someone without a login
        return Participant.objects.filter(by_address)
    return Participant.objects.filter(Q(user=user) | by_address)


def _export(user: Any, confidential: bool) -> list[dict[str, Any]]:
    rows = []
    for p in _rows(user).select_related("practice", "client"):
        rows.append(
            {
                "practice": p.practice.name,
                "name": p.name,
                "email": p.email,
                "client": p.client.name if p.client else None,
                "groups": [
                    {
                        "engagement": str(m.engagement),
                        "joined_on": m.joined_on,
                        "left_on": m.left_on,
                    }
                    for m in GroupMembership.objects.filter(participant=p).select_related(
                        "engagement"
                    )
                ],
            }
        )
    return rows


def _erase(user: Any) -> int:
    """Attendance counts and invoices still refer to the row, so it stays without a name. The
    person leaves every group today, so no meeting ahead counts, invites or bills them."""
    count = 0
    today = clock.today()
    for membership in GroupMembership.objects.filter(participant__in=_rows(user), left_on=None):
        membership.left_on = max(today, membership.joined_on)
        membership.save(update_fields=["left_on"])
    for p in _rows(user):
        p.name = _("Erased participant")
        p.email = f"erased-participant-{p.pk}@invalid.invalid"
        p.user = None
        p.save(update_fields=["name", "email", "user"])
        count += 1
    return count


register(
    Category(
        key="engagements.participants",
        label=gettext_lazy("participants and group membership"),
        purpose=gettext_lazy("to plan supervision and count attendance for the client"),
        legal_basis=gettext_lazy("the client organisation's contract (Art. 6.1 b, f)"),
        subjects=gettext_lazy("participants"),
        recipients=gettext_lazy("the supervisor; the client sees counts only"),
        export=_export,
        erase=_erase,
        erasure=gettext_lazy(
            "The person leaves every group today. Kept without name or address: attendance "
            "counts and invoices rest on the row."
        ),
        practices=lambda user: set(_rows(user).values_list("practice_id", flat=True)),
        by_address=True,
        # After the categories that find the person's rows through this link.
        order=90,
    )
)
