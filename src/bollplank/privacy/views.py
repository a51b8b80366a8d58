"""A person's own data (export), and the practice's retention rules and record of processing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bollplank.accounts.enums import Role
from bollplank.core.tenancy import practice_view
from bollplank.core.views import who
from bollplank.privacy.forms import RetentionForm
from bollplank.privacy.registry import categories, retention_categories
from bollplank.privacy.services import (
    export_html,
    export_json,
    person_export,
    retention_apply,
    retention_days,
    retention_rules_set,
)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Download everything about me, my own encrypted texts decrypted (GDPR Art. 15, 20)."""
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
def retention(request: HttpRequest) -> HttpResponse:
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
def processing(request: HttpRequest) -> HttpResponse:
    """The record of processing activities (GDPR Art. 30), generated from the registry and the
    practice's retention rules."""
    _user, practice, _roles = who(request)
    rows = [
        (c, retention_days(practice, c) if c.retention is not None else None) for c in categories()
    ]
    return render(request, "privacy/processing.html", {"rows": rows})
