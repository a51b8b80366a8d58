"""The tenancy guard: every practice page runs inside the scope of its practice.

django-scopes makes a query on a tenant model that forgot its scope raise, so a missing
filter fails loudly in tests instead of leaking another practice's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails
from django_scopes import scope, scopes_disabled

from bollplank.core.models import Practice
from bollplank.core.roles import STAFF_ROLES, Role

if TYPE_CHECKING:
    # The stubs' name for settings.AUTH_USER_MODEL (accounts.User), which core cannot import.
    from django.contrib.auth.models import _User

View = Callable[..., HttpResponse]

# A person's roles are their rows of accounts.Membership, read here through the relation the
# user model has to them (``user.memberships``) rather than by importing the model: the guard
# is on the ground floor and imports no app above it.


class PracticeRequest(HttpRequest):
    """The request a ``practice_view`` receives: a logged-in person, the practice named in the
    address and the person's roles there. Only a type: ``practice_view`` sets these on the
    request Django made."""

    user: _User
    practice: Practice
    # The roles the view acts in: those the person holds that the view allows.
    roles: frozenset[str]
    # Every role the person holds in the practice (the menu shows what each of them may open).
    all_roles: frozenset[str]
    # What htmx asked for, if it did (django_htmx's middleware sets it on every request).
    htmx: HtmxDetails


def who(request: PracticeRequest) -> tuple[_User, Practice, frozenset[str]]:
    """The acting person, the current practice and the roles the view acts in."""
    return request.user, request.practice, request.roles


def roles_in(user: Any, practice: Practice) -> frozenset[str]:
    """The roles ``user`` holds in ``practice`` (none for a stranger)."""
    with scope(practice=practice):
        return frozenset(user.memberships.filter(practice=practice).values_list("role", flat=True))


def _practice_and_roles(user: Any, slug: str) -> tuple[Practice | None, frozenset[str]]:
    """The practice at this address and the person's roles in it, in one query (every practice
    page asks): nothing when the practice does not exist or the person is not a member, alike,
    so that a practice cannot be discovered by its address."""
    with scopes_disabled():
        rows = list(user.memberships.filter(practice__slug=slug).select_related("practice"))
    if not rows:
        return None, frozenset()
    return rows[0].practice, frozenset(m.role for m in rows)


def mfa_required(practice: Practice, roles: frozenset[str]) -> bool:
    """Whether the practice requires two-factor login of someone holding these roles."""
    return bool(
        (practice.require_mfa_for_staff and roles & STAFF_ROLES)
        or (practice.require_mfa_for_contacts and Role.CLIENT_CONTACT in roles)
        or (practice.require_mfa_for_participants and Role.PARTICIPANT in roles)
    )


def has_second_factor(user: Any) -> bool:
    """Whether the person has set up two-factor login (TOTP; recovery codes come with it)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_missing(user: Any, held: Iterable[tuple[Practice, frozenset[str]]]) -> bool:
    """Whether any of these practices requires two-factor login of the roles the person holds
    there while the person has none. The one rule every way to a practice's data asks: its
    pages (``practice_view``), the personal pages that show or export it (``personal_view``),
    API tokens and calendar feeds. No query when no practice requires it."""
    if not any(mfa_required(practice, roles) for practice, roles in held):
        return False
    return not has_second_factor(user)


# The login session's mark that its sign-in was itself two-factor: the practice whose (or whose
# client's) provider reported BankID or another multi-factor method (accounts.assurance sets it
# at login). It holds for that practice only: another practice the person belongs to did not
# choose to trust that provider.
STRONG_SIGN_IN = "bollplank_strong_sign_in"


def strong_sign_in_practices(request: HttpRequest) -> frozenset[int]:
    """The practices for which this login session's sign-in counts as their required two-factor
    login (none for a password login). Not for API tokens or calendar feeds, which outlive the
    session."""
    session = getattr(request, "session", None)
    marked = session.get(STRONG_SIGN_IN) if session is not None else None
    return frozenset(int(pk) for pk in marked) if isinstance(marked, list) else frozenset()


def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Where a person who lacks a required second factor is sent instead of the page."""
    messages.warning(request, _("Your practice requires two-factor login. Set it up to continue."))
    return redirect("mfa_activate_totp")


def personal_view(view: View) -> View:
    """A page of the person's own that is no practice's page but shows or exports what they
    hold in practices (their data export): logged in, and with the second factor any of their
    practices requires of them."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        strong = strong_sign_in_practices(request)
        held = [(p, roles) for p, roles in user_practices(request.user) if p.pk not in strong]
        if second_factor_missing(request.user, held):
            return second_factor_setup(request)
        return view(request, *args, **kwargs)

    return wrapped


def practice_view(*allowed: Role) -> Callable[[View], View]:
    """Resolve ``practice_slug``, check the role, and run the view inside the practice's scope.

    Not a member of that practice: 404, so that practices cannot be discovered. A member
    without an allowed role: 403.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, practice_slug: str, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            practice, roles = _practice_and_roles(request.user, practice_slug)
            if practice is None:
                raise Http404
            if allowed and not roles & set(allowed):
                raise PermissionDenied
            if practice.pk not in strong_sign_in_practices(request) and second_factor_missing(
                request.user, [(practice, roles)]
            ):
                return second_factor_setup(request)
            acting = cast(PracticeRequest, request)
            acting.practice = practice
            # A view acts in the capacity of the roles it allows: a supervisor who is also a
            # participant in a colleague's group must not get staff powers over that group.
            acting.roles = roles & set(allowed) if allowed else roles
            acting.all_roles = roles
            with timezone.override(practice.timezone), scope(practice=practice):
                return view(acting, *args, **kwargs)

        return wrapped

    return decorator


def user_practices(user: Any) -> list[tuple[Practice, frozenset[str]]]:
    """Every practice the user belongs to, with their roles there."""
    with scopes_disabled():
        rows = user.memberships.select_related("practice").order_by("practice__name")
        found: dict[int, tuple[Practice, set[str]]] = {}
        for m in rows:
            found.setdefault(m.practice_id, (m.practice, set()))[1].add(m.role)
    return [(p, frozenset(r)) for p, r in found.values()]
