"""Every read of clients, scoped to what the acting person may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bollplank.clients.models import Client
from bollplank.core.models import Practice
from bollplank.core.roles import STAFF_ROLES


def clients_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Client]:
    """Staff see the practice's client register; a client contact sees their own client."""
    qs = Client.objects.filter(practice=practice)
    if roles & STAFF_ROLES:
        return qs
    return qs.filter(contacts__user=user).distinct()
