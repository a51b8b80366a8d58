"""The agreement's pages: the practice's versions list and its "Skapa avtal", one version's
page and PDF for both parties, the client contact's acceptance and list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bollplank.agreements import selectors, services
from bollplank.agreements.enums import AgreementStatus
from bollplank.agreements.forms import AcceptForm, AgreementCreateForm
from bollplank.agreements.models import Acceptance, Agreement
from bollplank.agreements.pdf import agreement_pdf, pdf_filename
from bollplank.agreements.terms import terms_for_display
from bollplank.core.roles import STAFF_ROLES, Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.engagements.models import Engagement

STAFF = (Role.ADMIN, Role.SUPERVISOR)
PARTIES = (Role.ADMIN, Role.SUPERVISOR, Role.CLIENT_CONTACT)


def _staff_engagement(request: PracticeRequest, pk: int) -> Engagement:
    user, practice, roles = who(request)
    return get_object_or_404(
        selectors.party_engagements(user, practice, roles & STAFF_ROLES).select_related(
            "client", "supervisor", "practice", "price"
        ),
        pk=pk,
    )


@practice_view(*STAFF)
def engagement_agreements(request: PracticeRequest, pk: int) -> HttpResponse:
    """Every version of the engagement's agreement with its status and who accepted it."""
    engagement = _staff_engagement(request, pk)
    versions = selectors.versions_of(engagement)
    return render(
        request,
        "agreements/engagement_agreements.html",
        {
            "engagement": engagement,
            "versions": versions,
            "outdated": bool(versions) and versions[0].status == AgreementStatus.OUTDATED,
            "form": AgreementCreateForm(initial={"language": engagement.client.language}),
        },
    )


@require_POST
@practice_view(*STAFF)
def agreement_create(request: PracticeRequest, pk: int) -> HttpResponse:
    """Make the agreement, or its next version when the terms have changed."""
    user, practice, _roles = who(request)
    engagement = _staff_engagement(request, pk)
    form = AgreementCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the language of the agreement."))
        return redirect("engagement_agreements", practice.slug, engagement.pk)
    try:
        agreement = services.agreement_create(
            actor=user, engagement=engagement, language=form.cleaned_data["language"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Version %(version)s of the agreement is made; the client contact can accept it.")
            % {"version": agreement.version},
        )
    return redirect("engagement_agreements", practice.slug, engagement.pk)


@practice_view(*PARTIES)
def agreement_detail(request: PracticeRequest, pk: int) -> HttpResponse:
    """One version: its terms, its hash, its status, and for the client contact the way to
    accept it."""
    user, practice, roles = who(request)
    agreement = selectors.agreement_for(user, practice, roles, pk)
    versions = selectors.versions_of(agreement.engagement)
    this = next(v for v in versions if v.pk == agreement.pk)
    return render(
        request,
        "agreements/detail.html",
        {
            "agreement": this,
            "engagement": agreement.engagement,
            "terms": terms_for_display(this.terms),
            "versions": versions,
            "is_client": Role.CLIENT_CONTACT in roles and not roles & STAFF_ROLES,
            "can_accept": Role.CLIENT_CONTACT in roles and this.status == AgreementStatus.AWAITING,
            "form": AcceptForm(),
        },
    )


@practice_view(*PARTIES)
def agreement_download(request: PracticeRequest, pk: int) -> HttpResponse:
    """The PDF: as made (the bytes its hash names) until it is accepted, then with the
    verification line of the acceptance; ``?original`` gives the document as made."""
    user, practice, roles = who(request)
    agreement = selectors.agreement_for(user, practice, roles, pk)
    acceptance: Acceptance | None = getattr(agreement, "acceptance", None)
    if acceptance is None or "original" in request.GET:
        pdf = bytes(Agreement.objects.values_list("document", flat=True).get(pk=agreement.pk))
        accepted = False
    else:
        pdf = agreement_pdf(agreement, acceptance)
        accepted = True
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = pdf_filename(agreement, accepted=accepted)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@practice_view(Role.CLIENT_CONTACT)
def agreement_accept(request: PracticeRequest, pk: int) -> HttpResponse:
    user, practice, _roles = who(request)
    only = frozenset({Role.CLIENT_CONTACT})
    agreement = selectors.agreement_for(user, practice, only, pk)
    form = AcceptForm(request.POST)
    form.is_valid()
    try:
        services.agreement_accept(
            actor=user,
            agreement=agreement,
            confirmed=bool(form.cleaned_data.get("confirm")),
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Thank you: version %(version)s of the agreement is accepted.")
            % {"version": agreement.version},
        )
    return redirect("agreement_detail", practice.slug, agreement.pk)


@practice_view(Role.CLIENT_CONTACT)
def client_agreement_list(request: PracticeRequest) -> HttpResponse:
    """The client contact's agreements: each engagement's versions and where they stand."""
    user, practice, _roles = who(request)
    rows: list[Any] = selectors.client_agreements(user, practice)
    return render(request, "agreements/client_list.html", {"rows": rows})
