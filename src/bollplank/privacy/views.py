"""A person's own data (export), and the practice's retention rules and record of processing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scopes_disabled

from bollplank.accounts.models import User
from bollplank.core.personal_data_registry import categories, retention_categories
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, personal_view, practice_view, who
from bollplank.privacy.forms import EraseConfirmForm, FindPersonForm, RetentionForm
from bollplank.privacy.services import (
    address_erase,
    address_erasure_preview,
    address_practice_ids,
    erasure_preview,
    export_html,
    export_json,
    person_erase,
    person_export,
    person_practice_ids,
    retention_apply,
    retention_days,
    retention_rules_set,
)


@personal_view
def my_data(request: HttpRequest) -> HttpResponse:
    """Download everything about me, my own encrypted texts decrypted (GDPR Art. 15, 20).
    It holds what I hold in every practice, so it asks for the second factor any of them
    requires of me."""
    user = request.user
    if request.method == "POST":
        data = person_export(actor=user, user=user, confidential=True)
        if request.POST.get("format") == "html":
            body, kind, ext = export_html(data, user.language), "text/html", "html"  # type: ignore[union-attr]
        else:
            body, kind, ext = export_json(data), "application/json", "json"
        response = HttpResponse(body, content_type=f"{kind}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bollplank-mina-uppgifter.{ext}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "privacy/my_data.html", {"categories": categories()})


@practice_view(Role.ADMIN)
def retention(request: PracticeRequest) -> HttpResponse:
    """The practice's retention rules, with what a run would delete today."""
    user, practice, _roles = who(request)
    initial = {c.key: retention_days(practice, c) for c in retention_categories()}
    form = RetentionForm(request.POST or None, initial_days=initial)
    if request.method == "POST" and form.is_valid():
        retention_rules_set(actor=user, practice=practice, days=form.cleaned_data)
        messages.success(request, _("The retention rules are saved."))
        return redirect("privacy_retention", practice.slug)
    preview = [
        line
        for line in retention_apply(dry_run=True)
        if line.practice is None or line.practice.pk == practice.pk
    ]
    return render(request, "privacy/retention.html", {"form": form, "preview": preview})


@practice_view(Role.ADMIN)
def processing(request: PracticeRequest) -> HttpResponse:
    """The record of processing activities (GDPR Art. 30), generated from the registry and the
    practice's retention rules."""
    _user, practice, _roles = who(request)
    rows = [
        (c, retention_days(practice, c) if c.retention is not None else None) for c in categories()
    ]
    return render(request, "privacy/processing.html", {"rows": rows})


def _person_of(practice: Any, pk: int | None = None, email: str | None = None) -> User | None:
    """A person with rows in this practice (a role, a participant, a contact, …); None when
    there is none, so that people of other practices cannot be found from here."""
    with scopes_disabled():
        people = User.objects.filter(is_active=True)
        user = (
            people.filter(pk=pk).first()
            if pk is not None
            else people.filter(email__iexact=email).first()
        )
        if user is None or practice.pk not in person_practice_ids(user):
            return None
        return user


@practice_view(Role.ADMIN)
def erase_find(request: PracticeRequest) -> HttpResponse:
    """Find the person to erase by e-mail address (GET: nothing changes here)."""
    _user, practice, _roles = who(request)
    form = FindPersonForm(request.GET or None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        person = _person_of(practice, email=email)
        if person is not None:
            return redirect("privacy_erase", practice.slug, person.pk)
        if _address_of(practice, email):
            return redirect(
                reverse("privacy_erase_address", args=[practice.slug])
                + "?"
                + urlencode({"email": email})
            )
        form.add_error("email", _("No person with that address in the practice."))
    return render(request, "privacy/erase_find.html", {"form": form})


@require_http_methods(["GET", "POST"])
@practice_view(Role.ADMIN)
def erase(request: PracticeRequest, user_pk: int) -> HttpResponse:
    """Erase a person of the practice (GDPR Art. 17): a dry run shows what goes and what stays
    per kind of record, and the admin confirms by typing the person's address (POST only)."""
    user, practice, _roles = who(request)
    person = _person_of(practice, pk=user_pk)
    if person is None:
        raise Http404
    elsewhere = person_practice_ids(person) - {practice.pk}
    refusal = ""
    if person.pk == user.pk:
        refusal = _("You cannot erase yourself here. Ask another admin of the practice.")
    elif elsewhere:
        # Each practice answers for its own records: an admin here may not erase what another
        # practice keeps, and the counts of a dry run would reveal it.
        refusal = _(
            "This person also has records in another practice in Bollplank, so the whole "
            "person cannot be erased from here. End their roles in this practice, and ask the "
            "operator of the installation to erase the person (manage.py erase_person) once "
            "the other practice agrees."
        )
    form = EraseConfirmForm(request.POST or None, expected=person.email)
    if request.method == "POST" and not refusal and form.is_valid():
        email = person.email
        person_erase(actor=user, user=person, practice=practice)
        # No total: it would tell the admin how many private texts the person had.
        messages.success(
            request,
            _("%(email)s is erased. What the law requires is kept without their name.")
            % {"email": email},
        )
        return redirect("privacy_erase_find", practice.slug)
    preview = [] if refusal else erasure_preview(person)
    return render(
        request,
        "privacy/erase.html",
        {"person": person, "form": form, "refusal": refusal, "preview": preview},
        status=409 if refusal and request.method == "POST" else 200,
    )


def _address_of(practice: Any, email: str) -> bool:
    """An address without a login that has rows in this practice. An address that belongs to
    a login is handled as that person (erase above), and is not found here."""
    with scopes_disabled():
        if User.objects.filter(email__iexact=email).exists():
            return False
    return practice.pk in address_practice_ids(email)


@require_http_methods(["GET", "POST"])
@practice_view(Role.ADMIN)
def erase_address(request: PracticeRequest) -> HttpResponse:
    """Erase someone without a login, known by e-mail address only (an inquiry, a course
    registration, a mentoring sign-up, a first talk): the same preview, typed confirmation and
    refusal when another practice keeps rows about the address too."""
    user, practice, _roles = who(request)
    email = (request.GET.get("email") or "").strip()
    if not email or not _address_of(practice, email):
        raise Http404
    refusal = ""
    if address_practice_ids(email) - {practice.pk}:
        refusal = _(
            "Another practice in Bollplank also keeps records about this address, so it "
            "cannot be erased from here. Ask the operator of the installation."
        )
    form = EraseConfirmForm(request.POST or None, expected=email)
    if request.method == "POST" and not refusal and form.is_valid():
        address_erase(actor=user, email=email, practice=practice)
        messages.success(
            request,
            _("%(email)s is erased. What the law requires is kept without their name.")
            % {"email": email},
        )
        return redirect("privacy_erase_find", practice.slug)
    return render(
        request,
        "privacy/erase.html",
        {
            "person": None,
            "email": email,
            "form": form,
            "refusal": refusal,
            "preview": [] if refusal else address_erasure_preview(email),
        },
        status=409 if refusal and request.method == "POST" else 200,
    )
