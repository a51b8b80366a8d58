"""Every read of clients, scoped to what the acting person may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.core.roles import STAFF_ROLES
from bollplank.engagements.enums import Status


def clients_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Client]:
    """Staff see the practice's client register; a client contact sees their own client."""
    qs = Client.objects.filter(practice=practice)
    if roles & STAFF_ROLES:
        return qs
    return qs.filter(contacts__user=user).distinct()


def clients_for_list(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Client]:
    """Clients with the number of active engagements, for the client list."""
    return clients_visible_to(user, practice, roles).annotate(
        active_engagements=Count("engagements", filter=Q(engagements__status=Status.ACTIVE))
    )
