from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.tenancy import user_practices


def _outside_practice(request: HttpRequest) -> tuple[Practice | None, frozenset[str], bool]:
    """The practice whose menu a page outside every practice shows (the login's own pages, the
    data export, the practice chooser), the person's roles there, and whether they must choose
    among several practices instead. Bollplank keeps no "last used" practice: a person with one
    practice gets its menu, as the start page takes them straight to it; with several, the
    menu would have to guess, so the header leads back to the chooser."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, frozenset(), False
    # An htmx fragment is drawn into a page that already has its header.
    if getattr(request, "htmx", False):
        return None, frozenset(), False
    held = user_practices(user)
    if len(held) == 1:
        return held[0][0], held[0][1], False
    return None, frozenset(), len(held) > 1


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the layout needs to draw the menu for the current practice and roles."""
    practice: Practice | None = getattr(request, "practice", None)
    roles: frozenset[str] = getattr(request, "all_roles", frozenset())
    choose_practice = False
    if practice is None:
        practice, roles, choose_practice = _outside_practice(request)
    return {
        "practice": practice,
        "roles": roles,
        "choose_practice": choose_practice,
        "is_admin": Role.ADMIN in roles,
        "is_supervisor": Role.SUPERVISOR in roles,
        "is_staff_member": bool(roles & {Role.ADMIN, Role.SUPERVISOR}),
        "is_participant": Role.PARTICIPANT in roles,
        "is_client_contact": Role.CLIENT_CONTACT in roles,
    }
