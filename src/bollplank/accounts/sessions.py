"""Login sessions end after a time idle and a time in all (ASVS V3.3).

At most 30 minutes idle and 12 hours after logging in; a practice may shorten both, and a
person in several practices gets the shortest. The times are kept in the session itself, so
that a request costs no query: the last activity is written at most once a minute, and the
practices' limits are read again at that moment (a shortened limit reaches open sessions
within a minute). Ending a session flushes it from the session store, so the old cookie is
worth nothing afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db.models import Min
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from bollplank.core import clock
from bollplank.core.models import Practice

IDLE_SECONDS = 30 * 60
MAX_SECONDS = 12 * 60 * 60
# How often the last activity is written back (a session save is a database write).
TOUCH_SECONDS = 60

STARTED = "bp_started"
SEEN = "bp_seen"
LIMITS = "bp_limits"


def session_limits(user: Any) -> tuple[int, int]:
    """(idle, absolute) limits in seconds for this person: the shortest of their practices'."""
    if not user.is_authenticated:
        return IDLE_SECONDS, MAX_SECONDS
    row = Practice.objects.filter(memberships__user=user).aggregate(
        idle=Min("session_idle_minutes"), hours=Min("session_max_hours")
    )
    idle = min(IDLE_SECONDS, row["idle"] * 60) if row["idle"] else IDLE_SECONDS
    absolute = min(MAX_SECONDS, row["hours"] * 3600) if row["hours"] else MAX_SECONDS
    return idle, absolute


@receiver(user_logged_in, dispatch_uid="bollplank_session_start")
def _session_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = int(clock.timestamp())
    request.session[STARTED] = now
    request.session[SEEN] = now
    request.session[LIMITS] = session_limits(user)


def session_expired(request: HttpRequest, now: float | None = None) -> bool:
    """Whether the logged-in session has passed a limit; records the activity otherwise."""
    session = request.session
    now = int(clock.timestamp() if now is None else now)
    started, seen, limits = session.get(STARTED), session.get(SEEN), session.get(LIMITS)
    if started is None or seen is None or limits is None:
        # A session from before these limits: they count from now.
        session[STARTED] = session[SEEN] = now
        session[LIMITS] = session_limits(request.user)
        return False
    idle, absolute = limits
    if now - seen > idle or now - started > absolute:
        return True
    if now - seen >= TOUCH_SECONDS:
        session[SEEN] = now
        session[LIMITS] = session_limits(request.user)
    return False


class SessionLimitMiddleware:
    """Log out a session that was idle too long or has lasted too long, then ask to log in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Logged in by the session's own mark, without loading the person: no query beyond the
        # session. A session whose person can no longer log in is logged out by the view as
        # before.
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and session_expired(request):
            logout(request)
            messages.info(request, _("You were logged out after a while. Log in again."))
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(request.get_full_path()).url
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
