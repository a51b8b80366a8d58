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

from bollplank.core.personal_data_registry import categories, retention_categories
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, personal_view, practice_view, who
from bollplank.privacy.forms import EraseConfirmForm, FindPersonForm, RetentionForm
from bollplank.privacy.services import (
    export_html,
    export_json,
    person_export,
    practice_erase,
    practice_erasure_preview,
    practice_subject,
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


def _erase_url(practice: Any, email: str) -> str:
    return (
        reverse("privacy_erase_address", args=[practice.slug]) + "?" + urlencode({"email": email})
    )


@practice_view(Role.ADMIN)
def erase_find(request: PracticeRequest) -> HttpResponse:
    """Find what the practice keeps about an address (GET: nothing changes here). An address
    the practice keeps nothing about gets the same answer whatever other practices keep."""
    _user, practice, _roles = who(request)
    form = FindPersonForm(request.GET or None)
    if form.is_valid():
        email = form.cleaned_data["email"]
        if practice_subject(practice, email) is not None:
            return redirect(_erase_url(practice, email))
        form.add_error("email", _("No person with that address in the practice."))
    return render(request, "privacy/erase_find.html", {"form": form})


@require_http_methods(["GET", "POST"])
@practice_view(Role.ADMIN)
def erase_address(request: PracticeRequest) -> HttpResponse:
    """Erase what the practice keeps about a person, found by e-mail address (GDPR Art. 17):
    a preview per kind of record, counted in this practice only, then the admin confirms by
    typing the address (POST only). A login and a bare address get the same page; nothing of
    another practice is shown, counted or touched (erasing everywhere is the operator's)."""
    user, practice, _roles = who(request)
    email = (request.GET.get("email") or "").strip()
    subject = practice_subject(practice, email)
    if subject is None:
        raise Http404
    refusal = ""
    if subject.pk is not None and subject.pk == user.pk:
        refusal = _("You cannot erase yourself here. Ask another admin of the practice.")
    form = EraseConfirmForm(request.POST or None, expected=email)
    if request.method == "POST" and not refusal and form.is_valid():
        practice_erase(actor=user, practice=practice, subject=subject)
        messages.success(
            request,
            _(
                "%(email)s is erased from the practice. What the law requires is kept without "
                "their name."
            )
            % {"email": email},
        )
        return redirect("privacy_erase_find", practice.slug)
    return render(
        request,
        "privacy/erase.html",
        {
            "email": email,
            "form": form,
            "refusal": refusal,
            "preview": [] if refusal else practice_erasure_preview(practice, subject),
        },
        status=409 if refusal and request.method == "POST" else 200,
    )
