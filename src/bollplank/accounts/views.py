"""The practice's people and invitations, and accepting an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.accounts.forms import AcceptForm, InviteForm
from bollplank.accounts.identity import required_providers
from bollplank.accounts.identity_views import allow_forms_to
from bollplank.accounts.models import Invitation, Membership, User
from bollplank.accounts.services import invitation_accept as accept
from bollplank.accounts.services import invitation_create, invitation_find
from bollplank.accounts.services import membership_end as membership_end_service
from bollplank.core import clock
from bollplank.core.forms import apply_errors
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who


@practice_view(Role.ADMIN)
def people(request: PracticeRequest) -> HttpResponse:
    """Everyone with a role in the practice, and the invitations not yet accepted."""
    _user, practice, _roles = who(request)
    users = (
        User.objects.filter(memberships__practice=practice)
        .distinct()
        .order_by("name")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(practice=practice))
        )
    )
    pending = Invitation.objects.filter(
        practice=practice, accepted_at__isnull=True, expires_at__gt=clock.now()
    )
    return render(request, "accounts/people.html", {"users": users, "pending": pending})


@require_POST
@practice_view(Role.ADMIN)
def membership_end(request: PracticeRequest, pk: int) -> HttpResponse:
    """End one role of a person in the practice (the people page's button)."""
    user, practice, _roles = who(request)
    membership: Membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    try:
        membership_end_service(actor=user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s no longer has the role %(role)s.")
            % {"name": membership.user.name, "role": membership.get_role_display()},
        )
    return redirect("people", practice.slug)


@practice_view(Role.ADMIN)
def invite(request: PracticeRequest) -> HttpResponse:
    """Invite a supervisor or another admin by e-mail."""
    user, practice, _roles = who(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(actor=user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("An invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("people", practice.slug)
    return render(request, "accounts/invite.html", {"form": form})


def _error_codes(exc: ValidationError) -> set[str]:
    """The codes of a ValidationError of any shape (one message, a list or a dict)."""
    if hasattr(exc, "error_dict"):
        return {e.code or "" for errors in exc.error_dict.values() for e in errors}
    return {e.code or "" for e in exc.error_list}


def _sign_in_required(request: HttpRequest, user: User) -> HttpResponse:
    """After accepting: a role that must log in through the organisation is not logged in with
    the password just chosen; the page offers the organisation's button."""
    required = required_providers(user)
    response = render(request, "accounts/sign_in_required.html", {"identity_providers": required})
    return allow_forms_to(response, required)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: set a name and password (or, logged in, just accept).
    A used or expired link says so and whom to ask; a logged-in account with another address
    cannot take someone else's invitation."""
    invitation = invitation_find(token)
    if invitation is None or invitation.accepted_at is not None:
        used = invitation is not None
        return render(request, "accounts/invitation_invalid.html", {"used": used}, status=404)
    if invitation.expires_at <= clock.now():
        return render(
            request,
            "accounts/invitation_expired.html",
            {"invitation": invitation, "inviter": invitation.invited_by},
            status=410,
        )
    logged_in = request.user if request.user.is_authenticated else None
    wrong_account = logged_in is not None and logged_in.email.lower() != invitation.email
    form = AcceptForm(
        request.POST or None, initial={"name": invitation.name}, email=invitation.email
    )
    if logged_in is not None and request.method == "POST" and not wrong_account:
        try:
            accept(invitation=invitation, name=logged_in.name, password=None, user=logged_in)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("home")
        if required_providers(logged_in):
            # The new role must log in through its organisation: this session does not carry it.
            logout(request)
            return _sign_in_required(request, logged_in)
        messages.success(
            request, _("Welcome to %(practice)s.") % {"practice": invitation.practice.name}
        )
        return redirect("home")
    if logged_in is None and request.method == "POST" and form.is_valid():
        try:
            new_user = accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if _error_codes(exc) & {"has_account", "used"}:
                form.add_error(None, exc.messages)
            else:
                form.add_error("password1", exc.messages)
        else:
            if required_providers(new_user):
                return _sign_in_required(request, new_user)
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to %(practice)s.") % {"practice": invitation.practice.name}
            )
            return redirect("home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "logged_in": logged_in,
            "wrong_account": wrong_account,
        },
        status=403 if wrong_account and request.method == "POST" else 200,
    )
