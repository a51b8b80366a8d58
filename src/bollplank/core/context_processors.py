from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bollplank.core.roles import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the layout needs to draw the menu for the current practice and roles."""
    roles: frozenset[str] = getattr(request, "all_roles", frozenset())
    return {
        "practice": getattr(request, "practice", None),
        "roles": roles,
        "is_admin": Role.ADMIN in roles,
        "is_supervisor": Role.SUPERVISOR in roles,
        "is_staff_member": bool(roles & {Role.ADMIN, Role.SUPERVISOR}),
        "is_participant": Role.PARTICIPANT in roles,
        "is_client_contact": Role.CLIENT_CONTACT in roles,
    }
